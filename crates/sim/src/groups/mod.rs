//! Auto Scaling groups in the simulated world: the records (`model`), what a group does on its own
//! (`reconcile`) and the write calls (`calls`).

mod calls;
mod model;
mod reconcile;

pub(crate) use model::*;
