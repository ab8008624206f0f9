//! The real binary at a real terminal (tmux): the TUI started with `--demo` visits each view, logs an
//! outreach, quits and leaves the terminal restored; `dedupe` asks before merging. Skips, saying why,
//! only when tmux is not installed.

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.0]).output();
    }
}

fn screen(s: &str) -> String {
    tmux(&["capture-pane", "-p", "-t", s])
}

fn wait_for(s: &str, text: &str) -> String {
    let start = Instant::now();
    loop {
        let sc = screen(s);
        if sc.contains(text) {
            return sc;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "'{text}' never appeared; screen:\n{sc}");
        sleep(Duration::from_millis(100));
    }
}

/// The process below `root` (itself, a child, a grandchild...) that runs `exe`, from /proc: however many
/// shells the pane's command went through.
fn running_below(root: u32, exe: &Path) -> Option<u32> {
    let exe = std::fs::canonicalize(exe).ok()?;
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (name) state ppid ...": the name may hold spaces, so fields count from its closing parenthesis.
        stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
    };
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        if std::fs::read_link(e.path().join("exe")).ok()? != exe {
            return None;
        }
        let mut at = pid;
        while at > 1 {
            if at == root {
                return Some(pid);
            }
            at = parent_of(at)?;
        }
        None
    })
}

fn send(s: &str, keys: &[&str]) {
    for k in keys {
        tmux(&["send-keys", "-t", s, k]);
        sleep(Duration::from_millis(60));
    }
}

#[test]
fn demo_views_log_and_quit_restore_the_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipped: tmux is not installed (.ci/run installs it)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_leadline");
    let state = tempfile::tempdir().unwrap();
    let name = format!("leadline-smoke-{}", std::process::id());
    let shell_cmd = format!("env LEADLINE_STATE_DIR={} {} --demo; echo EXIT=$?; sleep 30", state.path().display(), bin);
    let status = Command::new("tmux")
        .args(["new-session", "-d", "-s", &name, "-x", "120", "-y", "36", &shell_cmd])
        .status()
        .unwrap();
    assert!(status.success());
    let _guard = Session(name.clone());
    wait_for(&name, "2,000 leads");
    send(&name, &["2"]);
    wait_for(&name, "PIPELINE");
    send(&name, &["3"]);
    wait_for(&name, "INBOX");
    send(&name, &["4"]);
    wait_for(&name, "Leads by priority");
    send(&name, &["5"]);
    wait_for(&name, "touch · ");
    send(&name, &["1", "Enter"]);
    wait_for(&name, "Timeline");
    // Log a call with a note.
    send(&name, &["l", "Right", "Tab", "Tab", "Tab", "Tab"]);
    send(&name, &["Smoke test call"]);
    send(&name, &["Enter"]);
    wait_for(&name, "Logged");
    // The toast comes with the write; the timeline follows with the re-read lead.
    wait_for(&name, "Smoke test call");
    send(&name, &["Q"]);
    let sc = wait_for(&name, "EXIT=0");
    // Restored: the alternate screen is gone, so the UI's frame is no longer on screen.
    assert!(!sc.contains("Timeline"), "{sc}");
    assert!(!sc.contains("╭"), "{sc}");
    assert!(Path::new(&state.path().join("leadline.log")).exists(), "logs go to the state dir");
}

#[test]
fn sigterm_restores_the_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipped: tmux is not installed (.ci/run installs it)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_leadline");
    let state = tempfile::tempdir().unwrap();
    let name = format!("leadline-term-{}", std::process::id());
    // The shell in the pane writes how leadline ended: tmux does not always record a dead pane's status.
    let status = state.path().join("status");
    let cmd = format!(
        "sh -c 'env LEADLINE_STATE_DIR={} {bin} --demo; echo $? > {}'",
        state.path().display(),
        status.display()
    );
    let ok = Command::new("tmux")
        .args(["new-session", "-d", "-s", &name, "-x", "100", "-y", "30", &cmd])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let _guard = Session(name.clone());
    tmux(&["set-option", "-t", &name, "remain-on-exit", "on"]);
    wait_for(&name, "2,000 leads");
    let shell: u32 = tmux(&["display-message", "-p", "-t", &name, "#{pane_pid}"]).trim().parse().unwrap();
    let pid = running_below(shell, Path::new(bin)).expect("leadline runs under the pane's shell");
    assert!(Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success());
    // The status is whole once its line ends (the redirection makes the file before `echo` writes it).
    let start = Instant::now();
    let code = loop {
        match std::fs::read_to_string(&status) {
            Ok(text) if text.ends_with('\n') => break text,
            _ => {}
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still running after SIGTERM: {}", screen(&name));
        sleep(Duration::from_millis(100));
    };
    assert_eq!(code.trim(), "0", "a clean exit after SIGTERM: {}", screen(&name));
    let sc = screen(&name);
    assert!(!sc.contains("LEADS"), "the UI is off the screen: {sc}");
}

#[test]
fn dedupe_at_a_terminal_asks_pair_by_pair() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipped: tmux is not installed (.ci/run installs it)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_leadline");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let db = db.to_str().unwrap();
    let add = |first: &str, phone: &str| {
        let args = ["--db", db, "lead", "add", "--first-name", first, "--last-name", "Jones", "--phone", phone];
        assert!(Command::new(bin).args(args).output().unwrap().status.success());
    };
    add("Carl", "+34 600 999 888");
    add("Karl", "+34 600 999 888");
    add("Ann", "+34 611 222 333");
    add("Anne", "+34 611 222 333");
    add("Bo", "+34 622 333 444");
    add("Bob", "+34 622 333 444");
    let name = format!("leadline-dedupe-{}", std::process::id());
    let cmd = format!("{bin} --db {db} dedupe; echo EXIT=$?; sleep 30");
    let ok = Command::new("tmux")
        .args(["new-session", "-d", "-s", &name, "-x", "160", "-y", "30", &cmd])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let _guard = Session(name.clone());
    // Carl and Karl, Bo and Bob, are written as other names: "all" would merge Ann and Anne alone.
    wait_for(&name, "Merge them? [a]ll 1 from 50% (the rest stay listed), [e]ach in turn, [N]o");
    send(&name, &["e", "Enter"]);
    wait_for(&name, "[y]es, [n]o (two people), Enter: skip,");
    send(&name, &["y", "Enter"]);
    // Carl and Karl are two people: said once, not asked again.
    wait_for(&name, "Carl Jones");
    send(&name, &["n", "Enter"]);
    // The end of input stops asking, as q does, merging the yeses: the third pair is not asked.
    send(&name, &["C-d"]);
    let sc = wait_for(&name, "EXIT=0");
    assert!(sc.lines().any(|l| l.trim() == "1 merge"), "{sc}");
    assert!(sc.contains("1 pair said to be two people: not listed again"), "{sc}");
    let listed = Command::new(bin).args(["--db", db, "lead", "list", "--json"]).output().unwrap();
    let leads: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(leads.as_array().unwrap().len(), 5, "one pair merged, the others kept apart");
    let left = Command::new(bin).args(["--db", db, "dedupe", "--json"]).output().unwrap();
    let left: serde_json::Value = serde_json::from_slice(&left.stdout).unwrap();
    let left = left.as_array().unwrap();
    assert!(left.len() == 1 && left[0]["a_label"].as_str().unwrap().contains("Bo"), "{left:?}");
    // The answer is listed, and taken back: the pair is asked about again.
    let said = Command::new(bin).args(["--db", db, "dedupe", "--two-people", "--json"]).output().unwrap();
    let said: serde_json::Value = serde_json::from_slice(&said.stdout).unwrap();
    let said = &said.as_array().unwrap()[0];
    assert!(said["a_label"].as_str().unwrap().contains("arl Jones"), "{said}");
    let (x, y) = (said["a"].as_str().unwrap(), said["b"].as_str().unwrap());
    assert!(Command::new(bin).args(["--db", db, "dedupe", "--reconsider", x, y]).output().unwrap().status.success());
    let again = Command::new(bin).args(["--db", db, "dedupe", "--json"]).output().unwrap();
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again.as_array().unwrap().len(), 2, "{again}");
    let wrong = Command::new(bin).args(["--db", db, "dedupe", "--reconsider", x, y]).output().unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    // Two people of different names on one switchboard are the rep's to decide one by one: "all" is not offered.
    for (first, last) in [("Maria", "Ruiz"), ("Pedro", "Gil")] {
        let args =
            ["--db", db, "lead", "add", "--first-name", first, "--last-name", last, "--phone", "+34 910 000 000"];
        assert!(Command::new(bin).args(args).output().unwrap().status.success());
    }
    let name = format!("leadline-dedupe-other-{}", std::process::id());
    let ok = Command::new("tmux")
        .args(["new-session", "-d", "-s", &name, "-x", "160", "-y", "30", &cmd])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let _guard = Session(name.clone());
    let sc = wait_for(&name, "[e]ach in turn, [N]o");
    assert!(sc.contains("another name") && !sc.contains("[a]ll"), "{sc}");
    send(&name, &["a", "Enter"]);
    let sc = wait_for(&name, "EXIT=0");
    assert!(sc.contains("nothing merged"), "{sc}");
}
