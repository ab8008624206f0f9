//! leadline: a local-first CRM for sales reps that lives in the terminal.
//!
//! Layers point one way: `domain` ← `store` ← (`scoring`, `automation`, `io`, ...) ← (`cli`, `tui`).

pub mod automation;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod io;
pub mod scoring;
pub mod store;
pub mod tui;
