//! What tasks send back to the console's loop, and how it connects sessions: the types the runner
//! and the run tasks share.

use crate::session::Session;
use futures::future::BoxFuture;
use opsdeck_app::msg::{Msg, SessionInfo};
use std::sync::Arc;

/// Connects a session for a profile and a set of regions (empty = the profile's default).
pub type Connector = Arc<
    dyn Fn(
            Option<String>,
            Vec<String>,
        ) -> BoxFuture<'static, anyhow::Result<(Session, SessionInfo)>>
        + Send
        + Sync,
>;

/// What reaches the loop.
pub enum LoopMsg {
    App(Msg),
    /// A session connected for connect request `generation`.
    Session(u64, Arc<Session>),
}
