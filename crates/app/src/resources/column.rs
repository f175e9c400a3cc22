//! One column's declaration: title, widths, how it gives way, and its cell function.

use super::ctx::CellCtx;

/// One column: a title, a preferred width, how it gives way on a narrow terminal, and how to
/// compute a row's cell.
pub struct Column {
    pub title: &'static str,
    /// The width it gets when there is room.
    pub width: u16,
    /// The narrowest it is drawn: below that it is hidden rather than cut to nothing (h/l scroll
    /// to it).
    pub min: u16,
    /// Which columns give way first when the terminal is narrow: the highest number first. The
    /// first column always stays.
    pub priority: u8,
    /// It names the parent of a scoped table (the target group of "Targets of web-tg"), where
    /// every row would repeat the title: hidden there.
    pub names_scope: bool,
    pub cell: fn(&dyn CellCtx, usize) -> String,
}

/// The priority of a column that says nothing else.
pub const DEFAULT_PRIORITY: u8 = 3;

pub(crate) const fn col(
    title: &'static str,
    width: u16,
    cell: fn(&dyn CellCtx, usize) -> String,
) -> Column {
    Column {
        title,
        width,
        min: width,
        priority: DEFAULT_PRIORITY,
        names_scope: false,
        cell,
    }
}

impl Column {
    /// Drawn down to `min` cells; hidden before the columns of a lower `priority` number.
    pub(crate) const fn fit(self, min: u16, priority: u8) -> Column {
        Column {
            min,
            priority,
            ..self
        }
    }

    /// Hidden in a table scoped to the parent it names.
    pub(crate) const fn names_scope(self) -> Column {
        Column {
            names_scope: true,
            ..self
        }
    }
}
