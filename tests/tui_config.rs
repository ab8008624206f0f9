//! Keymap and theme config: the documented example loads, and a bad binding or colour stops the
//! real binary at start-up with a message naming it, before the terminal is touched.

use assert_cmd::Command;
use leadline::config::Config;
use leadline::tui::keymap::Keymap;
use leadline::tui::theme::Theme;

#[test]
fn the_example_config_builds_a_keymap_and_theme() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml")).unwrap();
    let config = Config::from_layers(Some(("config.example.toml", &text)), &[]).unwrap();
    Keymap::build(&config.keymap).unwrap();
    Theme::from_config(&config.ui).unwrap();
}

fn start_with(config: &str) -> (String, i32) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, config).unwrap();
    let out = Command::cargo_bin("leadline")
        .unwrap()
        .args(["--db", dir.path().join("t.db").to_str().unwrap(), "--config", cfg.to_str().unwrap()])
        .env("LEADLINE_STATE_DIR", dir.path())
        .output()
        .unwrap();
    (String::from_utf8_lossy(&out.stderr).into_owned(), out.status.code().unwrap_or(-1))
}

#[test]
fn unknown_command_in_keymap_is_a_clear_error() {
    let (err, code) = start_with("[keymap.leads]\n\"a\" = \"top\"\n\"x\" = \"explode\"\n");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("keymap.leads") && err.contains("explode"), "{err}");
    assert!(err.contains("line 3:"), "the entry's own line: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_key_that_begins_another_binding_is_refused() {
    let (err, code) = start_with("[keymap.inbox]\n\"a\" = \"reply\"\n\"a b\" = \"toggle_handled\"\n");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 2:") && err.contains("\"a b\"") && err.contains("cannot both be typed"), "{err}");
    // A global key begins a view's: refused too.
    let (err, code) = start_with("[keymap.global]\n\"f\" = \"top\"\n");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("\"f t\""), "{err}");
    // Unbinding the longer ones, in any table, makes room for the short key.
    let free_g = "[keymap.global]\n\"g\" = \"top\"\n\"g f\" = \"\"\n\"g g\" = \"\"\n\"g i\" = \"\"\n\
                  \"g l\" = \"\"\n\"g p\" = \"\"\n\"g s\" = \"\"\n";
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, free_g).unwrap();
    let out = Command::cargo_bin("leadline")
        .unwrap()
        .args(["--db", dir.path().join("t.db").to_str().unwrap(), "--config", cfg.to_str().unwrap(), "config", "check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn malformed_key_and_bad_colour_are_clear_errors() {
    let (err, code) = start_with("[keymap.pipeline]\n\"ctrl-\" = \"top\"\n");
    assert_eq!(code, 1);
    assert!(err.contains("line 2:") && err.contains("'ctrl-' is not a key"), "{err}");
    // An empty key is named at its own line, not its table's.
    let (err, code) = start_with("[keymap.inbox]\n\"a\" = \"reply\"\n\"\" = \"assign_me\"\n");
    assert_eq!(code, 1);
    assert!(err.contains("line 3:") && err.contains("'' has no key"), "{err}");
    let (err, code) = start_with("[ui.colors]\naccent = \"blurple\"\n");
    assert_eq!(code, 1);
    assert!(err.contains("ui.colors.accent") && err.contains("blurple"), "{err}");
    let (err, _) = start_with("[ui]\ntheme = \"neon\"\n");
    assert!(err.contains("neon"), "{err}");
}
