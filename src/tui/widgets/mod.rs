//! Widgets shared by the views: the one generic resource table, health per AZ.

pub mod health;
pub mod table;
