//! Starting the UI from the command line: config, logging to a file, the database (or a fresh demo
//! one), then the terminal. Every problem before the terminal is taken is one line on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{self, Cli, CliError};
use crate::config::Paths;

/// Demo leads for `leadline --demo`: enough to scroll and page, quick to generate.
pub const DEMO_LEADS: usize = 2_000;
pub const DEMO_SEED: u64 = 42;

/// When the process started handing over to the UI, for the first-frame timing in the log.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn main(cli: &Cli) -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
    match start(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("leadline: {}", cli::output::safe(&cli::output::one_line(&e.to_string())));
            ExitCode::from(e.exit_code())
        }
    }
}

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Removes the demo databases of earlier runs that ended without cleaning up (a closed terminal, a kill):
/// those whose process is gone.
fn sweep_demo_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name.strip_prefix("leadline-demo-").and_then(|rest| rest.split('-').next()?.parse::<i32>().ok());
        // SAFETY: kill with signal 0 sends nothing; it only asks whether the process exists.
        let gone = pid.is_some_and(|p| unsafe { libc::kill(p, 0) } == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH));
        if gone {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn start(cli: &Cli) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let config = cli::load_config(cli)?;
    super::check_config(&config).map_err(|e| cli::in_config_file(cli, e))?;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(CliError::Usage(
            "the terminal UI needs a terminal; in scripts use a command (`leadline --help` lists them)".into(),
        ));
    }
    let clock = cli::clock_from_env()?;
    init_logging(cli.log_level.as_deref().unwrap_or("info"))?;
    let mut _demo_dir = None;
    let path = if cli.demo {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        sweep_demo_dirs();
        let dir = std::env::temp_dir().join(format!("leadline-demo-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| CliError::Io(format!("{}: {e}", dir.display())))?;
        let path = dir.join("demo.db");
        _demo_dir = Some(TempDir(dir));
        let mut store = crate::engine::open(&path, &config, clock)?;
        eprintln!("leadline: generating {DEMO_LEADS} demo leads in {}…", path.display());
        crate::engine::demo(&mut store, &config, DEMO_LEADS, DEMO_SEED, None)?;
        // One timer run files the follow-ups the automations owe on this history (bumps, reschedules).
        crate::engine::tick(&mut store, &config)?;
        path
    } else {
        cli::database_path(cli)?
    };
    // A wait for another program's write (an import loading the database) is said before the screen is up.
    crate::store::say_when_waiting(true);
    let store = crate::engine::open(&path, &config, clock);
    crate::store::say_when_waiting(false);
    let store = store?;
    tracing::info!(db = %path.display(), "starting the terminal UI");
    let notes = [
        crate::engine::zone_note(store.ctx().tz, &config),
        crate::store::deals::off_pipeline_note(&crate::store::deals::off_pipeline(
            store.conn(),
            store.ctx().team_id.as_str(),
            &store.ctx().stages,
        )?),
    ];
    let mut setup = super::Setup::new(&config, store, clock)?;
    // Without a second connection the timer runs between the screen's queries, as it can.
    setup.automations = crate::engine::open(&path, &config, clock)
        .inspect_err(|e| tracing::warn!(error = %e, "no second connection: the automations run between queries"))
        .ok();
    let notes: Vec<String> = notes.into_iter().flatten().collect();
    if !notes.is_empty() {
        setup.app.toast(notes.join(" · "), true);
    }
    super::run(setup).map_err(|e| CliError::Io(format!("terminal: {e}")))?;
    Ok(())
}

/// Logs go to `leadline.log` in the state directory, never to the screen.
fn init_logging(level: &str) -> Result<(), CliError> {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|_| CliError::Usage(format!("--log-level: '{level}' must be error, warn, info, debug or trace")))?;
    let Some(dir) = log_dir() else { return Ok(()) };
    if std::fs::create_dir_all(&dir).is_err() {
        return Ok(());
    }
    let file = match std::fs::OpenOptions::new().create(true).append(true).open(dir.join("leadline.log")) {
        Ok(f) => f,
        Err(_) => return Ok(()),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    Ok(())
}

fn log_dir() -> Option<PathBuf> {
    std::env::var_os("LEADLINE_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| Paths::platform().map(|p| p.state_dir))
        .filter(|p: &PathBuf| p != Path::new(""))
}

#[cfg(test)]
mod tests {
    use super::sweep_demo_dirs;

    #[test]
    fn demo_databases_of_runs_that_are_gone_are_swept_and_a_live_ones_kept() {
        let tmp = std::env::temp_dir();
        // No process has a number this high; this one's is alive.
        let gone = tmp.join("leadline-demo-2147483000-1");
        let live = tmp.join(format!("leadline-demo-{}-sweep-test", std::process::id()));
        for d in [&gone, &live] {
            std::fs::create_dir_all(d).unwrap();
        }
        sweep_demo_dirs();
        assert!(!gone.exists() && live.exists());
        std::fs::remove_dir_all(&live).unwrap();
    }
}
