//! The terminal: raw mode and the alternate screen on, and always back off (quit, panic, signal).
//! Frames go through a 64 KiB buffer and are wrapped in synchronized-update markers, so a frame
//! reaches the terminal as one write and is shown at once, even over a slow link.

use ratatui::{
    backend::CrosstermBackend,
    crossterm::{
        cursor, event,
        terminal::{self, EnterAlternateScreen, LeaveAlternateScreen},
        ExecutableCommand,
    },
    Terminal,
};
use std::{
    io::{self, BufWriter, Write},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
};

const BEGIN_SYNC: &[u8] = b"\x1b[?2026h";
const END_SYNC: &[u8] = b"\x1b[?2026l";

/// Wraps everything written between two flushes in one synchronized update.
pub struct FrameWriter<W: Write> {
    inner: W,
    in_frame: bool,
}

impl<W: Write> FrameWriter<W> {
    pub fn new(inner: W) -> FrameWriter<W> {
        FrameWriter {
            inner,
            in_frame: false,
        }
    }
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.in_frame && !buf.is_empty() {
            self.inner.write_all(BEGIN_SYNC)?;
            self.in_frame = true;
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.in_frame {
            self.inner.write_all(END_SYNC)?;
            self.in_frame = false;
        }
        self.inner.flush()
    }
}

/// Counts the bytes that reach the terminal (benchmarks and tests of bandwidth).
#[derive(Clone)]
pub struct CountingWriter<W: Write> {
    inner: W,
    pub count: Arc<AtomicU64>,
}

impl<W: Write> CountingWriter<W> {
    pub fn new(inner: W) -> CountingWriter<W> {
        CountingWriter {
            inner,
            count: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub type Backend<W> = CrosstermBackend<FrameWriter<BufWriter<W>>>;

pub fn backend<W: Write>(w: W) -> Backend<W> {
    CrosstermBackend::new(FrameWriter::new(BufWriter::with_capacity(64 * 1024, w)))
}

/// Set after a hang-up: the terminal is gone, so write errors are expected and ignored.
pub static HUNG_UP: AtomicBool = AtomicBool::new(false);
static RESTORED: AtomicBool = AtomicBool::new(true);

/// Turns on raw mode, the alternate screen and bracketed paste; hides the cursor (fields draw
/// their own). No mouse capture: it costs bytes and steals the terminal's own selection.
pub fn enter() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    RESTORED.store(false, Ordering::SeqCst);
    let mut out = io::stdout();
    out.execute(EnterAlternateScreen)?;
    out.execute(event::EnableBracketedPaste)?;
    out.execute(cursor::Hide)?;
    Ok(())
}

/// Undoes `enter`; safe to call twice and from the panic hook or the signal thread.
pub fn restore() {
    if RESTORED.swap(true, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = out.execute(event::DisableBracketedPaste);
    let _ = out.execute(LeaveAlternateScreen);
    let _ = out.execute(cursor::Show);
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

/// A panic restores the terminal before the report prints, so the clerk sees it.
pub fn install_panic_hook() {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default().into_hooks();
    let _ = eyre_hook.install();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        eprintln!("{}", panic_hook.panic_report(info));
    }));
}

pub fn open() -> io::Result<Terminal<Backend<io::Stdout>>> {
    enter()?;
    Terminal::new(backend(io::stdout()))
}
