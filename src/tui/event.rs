//! Everything that happens reaches the loop as a message on one channel: keys, pastes and
//! resizes from the input thread, signals from the signal thread.

use ratatui::crossterm::event::{self, Event};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use std::{
    sync::{atomic::Ordering, mpsc::Sender},
    thread,
    time::Duration,
};

#[derive(Debug)]
pub enum Msg {
    Input(Event),
    /// The terminal stopped answering (EOF or a read error).
    InputGone,
    Signal(i32),
    /// Records saved (by anyone) that open screens may show.
    Changed(crate::service::Change),
    /// The connection to the server went down or came back.
    Link(crate::service::api::Link),
}

/// Passes the service's change events to the loop; ends with either side.
pub fn spawn_changes(changes: std::sync::mpsc::Receiver<crate::service::Change>, tx: Sender<Msg>) {
    let _ = thread::Builder::new()
        .name("changes".into())
        .spawn(move || {
            for c in changes {
                if tx.send(Msg::Changed(c)).is_err() {
                    return;
                }
            }
        });
}

/// Passes the client's connection notices to the loop; ends with either side.
pub fn spawn_link(link: std::sync::mpsc::Receiver<crate::service::api::Link>, tx: Sender<Msg>) {
    let _ = thread::Builder::new().name("link".into()).spawn(move || {
        for l in link {
            if tx.send(Msg::Link(l)).is_err() {
                return;
            }
        }
    });
}

/// Reads the terminal on its own thread. Ends when the loop is gone or the terminal is.
pub fn spawn_input(tx: Sender<Msg>) {
    thread::Builder::new()
        .name("input".into())
        .spawn(move || loop {
            match event::read() {
                Ok(ev) => {
                    if tx.send(Msg::Input(ev)).is_err() {
                        return;
                    }
                }
                Err(_) => {
                    let _ = tx.send(Msg::InputGone);
                    return;
                }
            }
        })
        .expect("spawn the input thread");
}

/// How long the loop has to finish by itself after a signal before the signal thread restores
/// the terminal and exits: crossterm's reader can spin on a dead terminal.
const GRACE: Duration = Duration::from_secs(2);

/// SIGTERM, SIGHUP, SIGQUIT and SIGINT end the loop through its normal path.
pub fn spawn_signals(tx: Sender<Msg>) -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGQUIT, SIGINT])?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                if sig == SIGHUP {
                    super::terminal::HUNG_UP.store(true, Ordering::SeqCst);
                }
                let _ = tx.send(Msg::Signal(sig));
                thread::sleep(GRACE);
                super::terminal::restore();
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
}
