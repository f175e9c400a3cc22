//! Pure functions over an `Inventory`: single points of failure, what each AZ takes down with it,
//! and the capacity guard runbooks consult before taking anything out of service.

mod blast;
mod capacity;
mod finding;
mod findings;
mod groups;

pub use blast::*;
pub use capacity::*;
pub use finding::*;
pub use findings::*;
