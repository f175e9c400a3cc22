//! Plain aligned text tables for headless output, from the same column declarations the console uses.

use opsdeck_app::resources::{Ctx, ResourceKind};
use std::io::{self, Write};

/// Writes one kind as a titled table; nothing for an empty kind but its title and `(none)`.
pub fn write_kind(
    out: &mut dyn Write,
    ctx: &Ctx,
    kind: ResourceKind,
    with_region: bool,
) -> io::Result<()> {
    let n = kind.row_count(ctx);
    writeln!(out, "== {} ({n})", kind.title())?;
    if n == 0 {
        writeln!(out, "(none)\n")?;
        return Ok(());
    }
    let cols = kind.columns();
    let mut header: Vec<String> = cols.iter().map(|c| c.title.to_string()).collect();
    let mut rows: Vec<Vec<String>> = (0..n)
        .map(|r| cols.iter().map(|c| (c.cell)(ctx, r)).collect())
        .collect();
    if with_region {
        header.push("REGION".into());
        for (r, row) in rows.iter_mut().enumerate() {
            row.push(kind.row_region(ctx, r).to_string());
        }
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s:<w$}", w = *w))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    writeln!(out, "{}", line(&header))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    writeln!(out)
}
