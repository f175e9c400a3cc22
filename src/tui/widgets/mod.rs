//! Widgets shared by the views: the one generic resource table.

pub mod table;
