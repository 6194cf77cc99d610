//! A progress bar on standard error, shown only when it is a terminal.

use carevault_core::i18n::t;
use carevault_core::{Phase, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The words for a phase on the bar, in the process's language.
fn phase_words(phase: Phase) -> String {
    match phase {
        Phase::WaitingForSync => t!("cli-phase-waiting-for-sync"),
        Phase::KeyDerivation => t!("cli-phase-key-derivation"),
        Phase::Backup => t!("cli-phase-backup"),
        Phase::Read => t!("cli-phase-read"),
        Phase::Copy => t!("cli-phase-copy"),
        Phase::Upload => t!("cli-phase-upload"),
        Phase::Download => t!("cli-phase-download"),
        Phase::Import => t!("cli-phase-import"),
    }
    .text()
}

pub struct Bar(ProgressBar);

impl Bar {
    pub fn new() -> Bar {
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template(
                "{msg:22} [{bar:30}] {percent:>3}% {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Bar(pb)
    }
}

impl Bar {
    /// Runs `f` with the bar hidden (to ask a question on the terminal).
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        self.0.suspend(f)
    }
}

impl Progress for Bar {
    fn start(&self, phase: Phase, total: u64) {
        if phase == Phase::WaitingForSync {
            // Said even when standard error is no terminal (the bar is then
            // hidden): a script's log shows why the command waits.
            self.0
                .suspend(|| eprintln!("{}", t!("cli-waiting-for-sync")));
        }
        self.0.set_message(phase_words(phase));
        self.0.set_length(total);
        self.0.set_position(0);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
