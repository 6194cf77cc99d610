//! `carevault safety-copies list|restore|remove`.

use super::args::SafetyAction;
use super::output::{local_time, print_json};
use super::secrets::Login;
use carevault_core::auth::{Delete, View};
use carevault_core::i18n::t;
use carevault_core::units::human_size;
use carevault_core::{safety, Result};
use serde_json::json;

pub fn run(login: &Login, action: SafetyAction, json: bool) -> Result<()> {
    match action {
        SafetyAction::List { home } => {
            let copies = safety::list(&login.permit::<View>(&home.home)?)?;
            if json {
                print_json(&json!({ "safety_copies": copies }));
            } else if copies.is_empty() {
                println!("{}", t!("cli-safety-none"));
            } else {
                for c in &copies {
                    println!(
                        "{}",
                        t!(
                            "cli-safety-entry",
                            name = &c.name,
                            kept = c
                                .kept_at
                                .as_deref()
                                .map(local_time)
                                .unwrap_or_else(|| "-".into()),
                            files = c.files,
                            size = human_size(c.bytes)
                        )
                    );
                }
                let total: u64 = copies.iter().map(|c| c.bytes).sum();
                println!(
                    "{}",
                    t!(
                        "cli-safety-total",
                        count = copies.len(),
                        size = human_size(total)
                    )
                );
            }
        }
        SafetyAction::Restore { name, home } => {
            let done = safety::put_back(&login.permit::<Delete>(&home.home)?, &name)?;
            if json {
                print_json(&json!({"result": "restored", "safety_copy": done}));
            } else {
                println!("{}", t!("cli-safety-restored", name = &done.restored));
                println!("  {}", t!("cli-safety-kept-in", path = &done.kept_as));
            }
        }
        SafetyAction::Remove { name, home } => {
            let gone = safety::remove(&login.permit::<Delete>(&home.home)?, &name)?;
            if json {
                print_json(&json!({"result": "removed", "safety_copy": gone}));
            } else {
                println!(
                    "{}",
                    t!(
                        "cli-safety-removed",
                        name = &gone.name,
                        size = human_size(gone.bytes)
                    )
                );
            }
        }
    }
    Ok(())
}
