//! The `leadline` binary: parse arguments and hand over to the CLI or, without a subcommand, the TUI.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use leadline::cli::{self, Cli};

fn main() -> ExitCode {
    // Set but empty, clap would say "a value is required for '--db'", naming a flag nobody typed.
    if std::env::var_os("LEADLINE_DB").is_some_and(|v| v.is_empty()) {
        eprintln!("leadline: LEADLINE_DB is set but empty: name the database in it, or unset it for the default one");
        return ExitCode::from(2);
    }
    let mut cli = Cli::try_parse().unwrap_or_else(|e| usage_error(e));
    match cli.command.take() {
        // `--demo` opens the UI on a demo database: with a command it would act on the real one unseen.
        Some(_) if cli.demo => {
            eprintln!(
                "leadline: --demo opens the terminal UI on a demo database and takes no command (`leadline demo` \
                 fills a database with demo data) (see leadline --help)"
            );
            ExitCode::from(2)
        }
        Some(command) => {
            log_to_stderr(cli.log_level.as_deref());
            quiet_on_closed_pipe();
            one_line_on_failed_output();
            cli::run(cli, command)
        }
        None => leadline::tui::start::main(&cli),
    }
}

/// A usage error on one line with exit 2, as the README promises: what is wrong, clap's tip and the
/// arguments it names, and which help to read. Help and version print as clap writes them.
fn usage_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Clap's own exit ignores a failed write: help that never reached a full disk would exit 0.
        match e.print() {
            Err(why) if why.kind() != std::io::ErrorKind::BrokenPipe => {
                // Not `eprintln!`: help goes to stderr when a command is missing, and that may be the full one.
                let _ = writeln!(std::io::stderr(), "leadline: cannot write the help: {why}");
                std::process::exit(1);
            }
            _ => std::process::exit(e.exit_code()),
        }
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Made safe: clap quotes the argument it refuses, escape sequences and all.
    let message = leadline::cli::output::safe(&one_line(&e.render().to_string()));
    eprintln!("leadline: {message} (see {} --help)", command_path(&args));
    std::process::exit(e.exit_code());
}

/// Clap's error text (`error: ...`, indented details, a usage, a last hint) as `...: details (tip)`.
fn one_line(text: &str) -> String {
    let mut line = String::new();
    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if l.starts_with("Usage:") || l.starts_with("For more information") {
            continue;
        }
        if let Some(first) = l.strip_prefix("error: ") {
            line.push_str(first);
        } else if let Some(tip) = l.strip_prefix("tip: ") {
            line.push_str(&format!(" ({tip})"));
        } else {
            // A list of arguments after a colon; a bracketed aside (`[possible values: ...]`).
            line.push_str(if line.ends_with(':') || l.starts_with('[') { " " } else { ", " });
            line.push_str(l);
        }
    }
    line
}

/// The subcommand the arguments reached (`leadline lead add`), whose help says what it takes.
fn command_path(args: &[String]) -> String {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut path = vec!["leadline".to_string()];
    for arg in args {
        let Some(sub) = command.find_subcommand(arg).cloned() else { continue };
        path.push(sub.get_name().to_string());
        command = sub;
    }
    path.join(" ")
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

/// Output that cannot be written (a full disk, `> /dev/full`) ends the command with one line and exit 1,
/// as every other failure does, rather than a panic message. Writes commit before anything is printed.
fn one_line_on_failed_output() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if let Some(why) = message.strip_prefix("failed printing to stdout: ") {
            // A script that retries on this exit must know its write is in: retried, it would be twice.
            eprintln!(
                "leadline: cannot write the output: {why} (whatever the command changed in the database is saved)"
            );
            std::process::exit(1);
        }
        default(info);
    }));
}

/// `LEADLINE_LOG=debug leadline ...` (or `--log-level debug`) traces a command on stderr (e.g. where a
/// recompute spends its time); the terminal UI logs to its file instead.
fn log_to_stderr(flag: Option<&str>) {
    // The flag wins over the environment, as flags do.
    let Some(level) = flag.map(str::to_string).or(std::env::var("LEADLINE_LOG").ok()) else { return };
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_new(&level) {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    }
}
