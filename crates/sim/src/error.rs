//! The simulator's one error type (the fault API's and the fleet loader's).

/// A fault-API or fleet error, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SimError(pub String);

impl From<String> for SimError {
    fn from(s: String) -> Self {
        SimError(s)
    }
}
