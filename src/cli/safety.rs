//! `carevault safety-copies list|restore|remove`.

use super::args::SafetyAction;
use super::output::{local_time, print_json};
use super::secrets::Login;
use carevault_core::auth::{Delete, View};
use carevault_core::fsutil::human_size;
use carevault_core::{safety, Result};
use serde_json::json;

pub fn run(login: &Login, action: SafetyAction, json: bool) -> Result<()> {
    match action {
        SafetyAction::List { home } => {
            let copies = safety::list(&login.permit::<View>(&home.home)?)?;
            if json {
                print_json(&json!({ "safety_copies": copies }));
            } else if copies.is_empty() {
                println!("No safety copies: no restore has replaced clinic data here.");
            } else {
                for c in &copies {
                    println!(
                        "{}  kept {}  {} files, {}",
                        c.name,
                        c.kept_at
                            .as_deref()
                            .map(local_time)
                            .unwrap_or_else(|| "-".into()),
                        c.files,
                        human_size(c.bytes)
                    );
                }
                let total: u64 = copies.iter().map(|c| c.bytes).sum();
                println!(
                    "{} safety copies, {} in all",
                    copies.len(),
                    human_size(total)
                );
            }
        }
        SafetyAction::Restore { name, home } => {
            let done = safety::put_back(&login.permit::<Delete>(&home.home)?, &name)?;
            if json {
                print_json(&json!({"result": "restored", "safety_copy": done}));
            } else {
                println!(
                    "The safety copy {} is the clinic data again.",
                    done.restored
                );
                println!(
                    "  the data it replaced is kept in {}",
                    done.kept_as.display()
                );
            }
        }
        SafetyAction::Remove { name, home } => {
            let gone = safety::remove(&login.permit::<Delete>(&home.home)?, &name)?;
            if json {
                print_json(&json!({"result": "removed", "safety_copy": gone}));
            } else {
                println!(
                    "Removed the safety copy {} ({}).",
                    gone.name,
                    human_size(gone.bytes)
                );
            }
        }
    }
    Ok(())
}
