//! Shared test setup: a temporary database and config, and the real binary with a fixed clock.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::PathBuf;
use tempfile::TempDir;

/// "Now" for every test: Wednesday 2026-11-25 12:00 UTC (13:00 in Madrid).
pub const NOW: &str = "2026-11-25T12:00:00.000Z";

pub struct Sandbox {
    pub dir: TempDir,
    pub db: PathBuf,
    pub config: PathBuf,
}

impl Sandbox {
    pub fn new() -> Self {
        Self::with_config("")
    }

    /// A sandbox whose config file holds `extra` after a fixed user and team.
    pub fn with_config(extra: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("leads.db");
        let config = dir.path().join("config.toml");
        let base = "[user]\nname = \"Rita Rep\"\nemail = \"rita@example.com\"\n\n[team]\nname = \"Test team\"\ntimezone = \"Europe/Madrid\"\n";
        std::fs::write(&config, format!("{base}\n{extra}")).unwrap();
        Self { dir, db, config }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_leadline"));
        c.env_clear()
            .env("HOME", self.dir.path())
            .env("LEADLINE_DB", &self.db)
            .env("LEADLINE_CONFIG", &self.config)
            .env("LEADLINE_NOW", NOW);
        c
    }

    /// Runs leadline with `args`, expects success, returns trimmed stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_said(args).0
    }

    /// Runs leadline with `args`, expects success, returns trimmed stdout and stderr.
    pub fn ok_said(&self, args: &[&str]) -> (String, String) {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "leadline {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap().trim().to_string();
        (text(out.stdout), text(out.stderr))
    }

    /// Runs leadline with `args`, expects failure with `code`, returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "leadline {args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8(out.stderr).unwrap();
        // Every error is one line, usage errors (exit 2) too.
        assert_eq!(err.trim_end().lines().count(), 1, "error is one line: {err}");
        err
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// A lead with an e-mail and phone; returns its id.
    pub fn ana(&self) -> String {
        self.ok(&[
            "lead",
            "add",
            "--first-name",
            "Ana",
            "--last-name",
            "López",
            "--email",
            "ana@acme.io",
            "--phone",
            "+34 600 11 22 33",
            "--company",
            "Acme",
            "--title",
            "CTO",
            "--source",
            "linkedin",
            "--tag",
            "hot",
        ])
    }

    /// A snapshot of every table's rows, to prove a failed command changed nothing.
    pub fn dump(&self) -> String {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut out = String::new();
        for table in [
            "leads",
            "lead_scores",
            "outreach",
            "meetings",
            "deals",
            "tasks",
            "notes",
            "accounts",
            "lead_tags",
            "inbox_items",
        ] {
            let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2")).unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
                })
                .unwrap();
            for row in rows {
                out.push_str(&format!("{table}: {}\n", row.unwrap()));
            }
        }
        out
    }
}
