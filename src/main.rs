//! The `leadline` binary: parse arguments and hand over to the CLI or, without a subcommand, the TUI.

use std::process::ExitCode;

use clap::Parser;
use leadline::cli::{self, Cli};

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    match cli.command.take() {
        Some(command) => {
            log_to_stderr();
            cli::run(cli, command)
        }
        None => leadline::tui::start::main(&cli),
    }
}

/// `LEADLINE_LOG=debug leadline ...` traces a command on stderr (e.g. where a recompute spends its time);
/// the terminal UI logs to its file instead.
fn log_to_stderr() {
    let Ok(level) = std::env::var("LEADLINE_LOG") else { return };
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_new(&level) {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    }
}
