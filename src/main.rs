//! The `leadline` binary: parse arguments and hand over to the CLI or, without a subcommand, the TUI.

use std::process::ExitCode;

use clap::Parser;
use leadline::cli::{self, Cli};

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    match cli.command.take() {
        Some(command) => {
            log_to_stderr();
            quiet_on_closed_pipe();
            cli::run(cli, command)
        }
        None => leadline::tui::start::main(&cli),
    }
}

/// `leadline lead list | head` ends quietly when `head` has read enough, as other Unix tools do, instead of
/// panicking on the closed pipe. Writes commit before anything is printed, so nothing is lost.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal before any thread starts; no handler is involved.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
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
