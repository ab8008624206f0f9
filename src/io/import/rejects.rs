//! Rejected rows: read back from the database for the report, and written out as a file to fix and import.

use std::path::Path;

use rusqlite::params;

use super::{CsvLayout, Format, ImportReport};
use crate::io::record::Reject;
use crate::io::{Result, file_err};
use crate::store::Store;

/// The columns a rejects file puts before the row's own: why it was refused, which an import of the fixed file
/// does not read.
pub const REJECT_COLUMNS: [&str; 3] = ["leadline_line", "leadline_column", "leadline_error"];

/// Where a JSON rejects file keeps a line that was no JSON record, as the file had it.
pub const RAW_REJECT: &str = "leadline_raw";

/// A rejected row as a dry run keeps it for the rejects file: line, column, reason and the row's values.
pub(super) type RejectRecord = (u64, Option<String>, String, Vec<String>);

pub(super) fn reject_record(r: Reject) -> RejectRecord {
    (r.line, r.column, r.reason, r.record)
}

pub(super) fn from_record((line, column, reason, record): RejectRecord) -> Reject {
    Reject { line, column, reason, record }
}

pub(super) const REJECTS_SHOWN: i64 = 1000;

pub(super) fn load_rejects(store: &Store, run_id: &str, report: &mut ImportReport) -> Result<()> {
    let conn = store.conn();
    report.rejects_total = conn
        .query_row("SELECT count(*) FROM import_rejects WHERE run_id = ?1", [run_id], |r| r.get::<_, i64>(0))?
        as u64;
    let mut stmt = conn.prepare(
        "SELECT line, column_name, reason, record FROM import_rejects WHERE run_id = ?1 ORDER BY line LIMIT ?2",
    )?;
    report.rejects = stmt
        .query_map(params![run_id, REJECTS_SHOWN], |r| {
            let record: String = r.get(3)?;
            Ok(Reject {
                line: r.get::<_, i64>(0)? as u64,
                column: r.get(1)?,
                reason: r.get(2)?,
                record: serde_json::from_str(&record).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(())
}

/// Writes the rejected rows of a run as a CSV with the file's own columns plus where and why, so the rep
/// can fix them and import that file.
pub fn write_rejects(store: &Store, report: &ImportReport, out: &Path) -> Result<u64> {
    if report.format == Format::Json {
        return write_json_rejects(store, report, out);
    }
    if report.format == Format::Vcard {
        return write_vcard_rejects(store, report, out);
    }
    // The row keeps every value it had (a row with too many values stays that way, to be fixed), after
    // three columns saying where and why; an import of this file ignores those three.
    // Written as the file was (its delimiter and line ends), in UTF-8 (which holds every name, whatever code
    // page the file was in) with a byte-order mark, which a spreadsheet needs to read it so: the rep opens it
    // as they opened the file.
    let layout = report.layout.unwrap_or(CsvLayout { delimiter: b',', crlf: false });
    let mut file = crate::io::paths::create_owner_only(out).map_err(|e| file_err(out, e))?;
    std::io::Write::write_all(&mut file, "\u{feff}".as_bytes()).map_err(|e| file_err(out, e))?;
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .delimiter(layout.delimiter)
        .terminator(if layout.crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
        .from_writer(file);
    let headers: Vec<String> = match &report.run_id {
        _ if !report.headers.is_empty() => report.headers.clone(),
        Some(id) => {
            let h: String =
                store.conn().query_row("SELECT headers FROM import_runs WHERE id = ?1", [id], |r| r.get(0))?;
            serde_json::from_str(&h).unwrap_or_default()
        }
        None => Vec::new(),
    };
    // A rejects file imported again: its own where-and-why columns give way to this import's.
    let earlier: Vec<usize> = (0..headers.len()).filter(|&i| REJECT_COLUMNS.contains(&headers[i].as_str())).collect();
    let headers: Vec<String> =
        headers.into_iter().enumerate().filter(|(i, _)| !earlier.contains(i)).map(|(_, h)| h).collect();
    let mut header_row: Vec<String> = REJECT_COLUMNS.map(String::from).to_vec();
    if headers.is_empty() && report.format != Format::Csv {
        header_row.push("record".into());
    } else if headers.is_empty() {
        let width = report.rejects.iter().map(|r| r.record.len()).max().unwrap_or(0);
        header_row.extend((1..=width).map(|i| format!("column {i}")));
    } else {
        header_row.extend(headers);
    }
    // The file's own column names came from whoever wrote it: guarded like the values.
    crate::io::export::write_cells(&mut w, &header_row).map_err(|e| file_err(out, e))?;
    let mut n = 0u64;
    for_each_reject(store, report, out, &mut |r: &Reject| {
        let mut cells = vec![r.line.to_string(), r.column.clone().unwrap_or_default(), r.reason.clone()];
        cells.extend(r.record.iter().enumerate().filter(|(i, _)| !earlier.contains(i)).map(|(_, c)| c.clone()));
        n += 1;
        crate::io::export::write_cells(&mut w, &cells).map_err(|e| file_err(out, e))
    })?;
    w.flush().map_err(|e| file_err(out, e))?;
    Ok(n)
}

/// Every reject of the import in line order: those it recorded (a run already done, or the part of an
/// interrupted one a dry run goes on from), then a dry run's own.
fn for_each_reject(
    store: &Store,
    report: &ImportReport,
    out: &Path,
    write: &mut dyn FnMut(&Reject) -> Result<()>,
) -> Result<()> {
    if let Some(id) = report.run_id.as_ref().or(report.resumed_run.as_ref()) {
        {
            let mut stmt = store.conn().prepare(
                "SELECT line, column_name, reason, record FROM import_rejects WHERE run_id = ?1 ORDER BY line",
            )?;
            let mut rows = stmt.query([id])?;
            while let Some(row) = rows.next()? {
                let record: String = row.get(3)?;
                write(&Reject {
                    line: row.get::<_, i64>(0)? as u64,
                    column: row.get(1)?,
                    reason: row.get(2)?,
                    record: serde_json::from_str(&record).unwrap_or_default(),
                })?;
            }
        }
    }
    if report.dry_run {
        for r in report.dry_rejects.iter().map_err(|e| file_err(out, e))? {
            write(&from_record(r.map_err(|e| file_err(out, e))?))?;
        }
    }
    Ok(())
}

/// A JSON import's rejects as JSON lines: each record as the file had it, with `leadline_line`,
/// `leadline_column` and `leadline_error` added (an import of this file ignores them), so the file imports
/// again once fixed, or once what the records name is there.
fn write_json_rejects(store: &Store, report: &ImportReport, out: &Path) -> Result<u64> {
    use std::io::Write as _;
    let file = crate::io::paths::create_owner_only(out).map_err(|e| file_err(out, e))?;
    let mut w = std::io::BufWriter::new(file);
    let mut n = 0u64;
    for_each_reject(store, report, out, &mut |r: &Reject| {
        // A record that is no JSON object, or no JSON at all, is kept as its text, to be mended.
        let mut record = match r.record.first().map(|t| (t, serde_json::from_str::<serde_json::Value>(t))) {
            Some((_, Ok(serde_json::Value::Object(o)))) => o,
            Some((text, _)) => serde_json::Map::from_iter([(RAW_REJECT.to_string(), text.as_str().into())]),
            None => serde_json::Map::new(),
        };
        record.insert("leadline_line".into(), r.line.into());
        record.insert("leadline_column".into(), r.column.clone().into());
        record.insert("leadline_error".into(), r.reason.clone().into());
        writeln!(w, "{}", serde_json::Value::Object(record)).map_err(|e| file_err(out, e))?;
        n += 1;
        Ok(())
    })?;
    w.flush().map_err(|e| file_err(out, e))?;
    Ok(n)
}

/// A vCard file's rejected cards as vCards again, each saying where and why in an `X-LEADLINE-ERROR`
/// property (which an import ignores): fixed in an editor, the file imports as it is.
fn write_vcard_rejects(store: &Store, report: &ImportReport, out: &Path) -> Result<u64> {
    use std::io::Write as _;
    let file = crate::io::paths::create_owner_only(out).map_err(|e| file_err(out, e))?;
    let mut w = std::io::BufWriter::new(file);
    let mut n = 0u64;
    for_each_reject(store, report, out, &mut |r: &Reject| {
        let card = r.record.first().map(String::as_str).unwrap_or("");
        let mut lines: Vec<&str> = card.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.last().is_some_and(|l| l.trim().eq_ignore_ascii_case("END:VCARD")) {
            lines.pop();
        }
        if !lines.first().is_some_and(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCARD")) {
            lines.insert(0, "BEGIN:VCARD");
        }
        let column = r.column.as_deref().map(|c| format!("{c}: ")).unwrap_or_default();
        // A vCard value escapes its commas, semicolons and line breaks.
        let said = format!("line {}, {column}{}", r.line, r.reason)
            .replace('\\', "\\\\")
            .replace(',', "\\,")
            .replace(';', "\\;")
            .replace('\n', "\\n");
        let text = format!("{}\r\nX-LEADLINE-ERROR:{said}\r\nEND:VCARD\r\n", lines.join("\r\n"));
        w.write_all(text.as_bytes()).map_err(|e| file_err(out, e))?;
        n += 1;
        Ok(())
    })?;
    w.flush().map_err(|e| file_err(out, e))?;
    Ok(n)
}
