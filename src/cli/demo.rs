//! `carevault demo`: the whole cycle on a fresh demo clinic, step by step,
//! each step printed with the command that does the same on its own.

use super::args::{DemoAction, DemoArgs};
use super::output::print_json;
use carevault_core::auth::{self, Create, View};
use carevault_core::backup::{self, BackupRequest, Target};
use carevault_core::i18n::{t, Text};
use carevault_core::profile::EncryptionSettings;
use carevault_core::profile::Profile;
use carevault_core::restore::{self, RestoreOutcome, RestoreRequest};
use carevault_core::units::human_size;
use carevault_core::{catalog, verify, Error, Kind, NoProgress, Result, SecretString, Unlock};
use carevault_demo::{self as demo, DemoOptions, WriterOptions};
use serde_json::json;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const MARKER: &str = ".carevault-demo";
const DEMO_PASSPHRASE: &str = "correct horse battery staple clinic";

pub fn run(args: DemoArgs, json: bool) -> Result<()> {
    match args.action {
        Some(DemoAction::Init {
            home,
            patients,
            photos,
            seed,
        }) => {
            let s = demo::init(
                &home,
                &DemoOptions {
                    patients,
                    photos,
                    seed,
                },
            )
            .map_err(demo_error)?;
            if json {
                print_json(&json!({"result": "created", "home": home, "summary": s}));
            } else {
                println!(
                    "{}",
                    t!(
                        "cli-demo-created",
                        home = &home,
                        patients = s.patients,
                        visits = s.visits,
                        photos = s.photos,
                        size = human_size(s.bytes_on_disk)
                    )
                );
            }
            Ok(())
        }
        Some(DemoAction::Sync { home, seconds }) => {
            let stop = Arc::new(AtomicBool::new(false));
            let s2 = stop.clone();
            let _ = ctrlc::set_handler(move || s2.store(true, Ordering::SeqCst));
            let opts = demo::SyncOptions {
                duration: std::time::Duration::from_secs(seconds),
                ..Default::default()
            };
            let stats = demo::run_sync(&home, &opts, &stop).map_err(demo_error)?;
            if json {
                print_json(&json!({"result": "synchronized", "stats": stats}));
            } else {
                println!(
                    "{}",
                    t!(
                        "cli-demo-sync-done",
                        pushed = stats.pushed,
                        pulled = stats.pulled,
                        steps = stats.steps
                    )
                );
            }
            Ok(())
        }
        Some(DemoAction::Write { home, rate, max }) => {
            let stop = Arc::new(AtomicBool::new(false));
            let s2 = stop.clone();
            let _ = ctrlc::set_handler(move || s2.store(true, Ordering::SeqCst));
            let opts = WriterOptions {
                rate_per_sec: rate,
                max_transactions: max,
                seed: 7,
            };
            let stats = demo::run_writer(&home, &opts, &stop).map_err(demo_error)?;
            if json {
                print_json(
                    &json!({"result": "stopped", "transactions": stats.transactions, "longest_wait_ms": stats.longest_wait_ms,
                        "longest_commit_ms": stats.longest_commit_ms, "p99_commit_ms": stats.p99_commit_ms}),
                );
            } else {
                println!(
                    "{}",
                    t!(
                        "cli-demo-writer-stopped",
                        transactions = stats.transactions,
                        wait = format!("{:.1}", stats.longest_wait_ms),
                        longest = format!("{:.1}", stats.longest_commit_ms),
                        p99 = format!("{:.1}", stats.p99_commit_ms)
                    )
                );
            }
            Ok(())
        }
        None => full_cycle(&args, json),
    }
}

fn demo_password(user: &str) -> &'static str {
    demo::DEMO_USERS
        .iter()
        .find(|u| u.0 == user)
        .map(|u| u.2)
        .expect("demo user")
}

fn demo_error(e: demo::DemoError) -> Error {
    Error::new(Kind::Usage, e.text(), t!("cli-demo-failed-advice"))
}

fn step(json: bool, title: Text, command: &str) {
    if !json {
        println!("\n== {title}\n   $ {command}");
    }
}

fn full_cycle(args: &DemoArgs, json: bool) -> Result<()> {
    let dir = &args.dir;
    if dir.exists() {
        if !dir.join(MARKER).exists() {
            return Err(Error::new(
                Kind::Usage,
                t!("cli-demo-folder-not-ours"),
                t!("cli-demo-folder-not-ours-advice"),
            )
            .at(dir));
        }
        std::fs::remove_dir_all(dir)
            .map_err(|e| Error::io(t!("cli-doing-removing-demo"), dir, e))?;
    }
    let creating = || t!("cli-doing-creating-demo");
    std::fs::create_dir_all(dir).map_err(|e| Error::io(creating(), dir, e))?;
    std::fs::write(dir.join(MARKER), b"made by carevault demo\n")
        .map_err(|e| Error::io(creating(), dir, e))?;
    let clinic = dir.join("clinic");
    // The clinic's Public medium: its Documents folder (the profile's
    // default), where a Public backup goes.
    let documents = clinic.join("Documents");
    let restored = dir.join("restored");
    let d = dir.display();

    step(
        json,
        t!("cli-demo-step-init"),
        &format!(
            "carevault demo init {d}/clinic --patients {} --photos {}",
            args.patients, args.photos
        ),
    );
    let t = std::time::Instant::now();
    let summary = demo::init(
        &clinic,
        &DemoOptions {
            patients: args.patients,
            photos: args.photos,
            seed: 1,
        },
    )
    .map_err(demo_error)?;
    if !json {
        println!(
            "   {}",
            t!(
                "cli-demo-init-done",
                patients = summary.patients,
                visits = summary.visits,
                immunizations = summary.immunizations,
                outbox = summary.outbox,
                photos = summary.photos,
                size = human_size(summary.bytes_on_disk),
                seconds = format!("{:.1}", t.elapsed().as_secs_f64())
            )
        );
    }

    step(
        json,
        t!("cli-demo-step-keygen"),
        &format!("carevault keygen --out {d}/recovery-key.txt"),
    );
    let (secret, public) = carevault_core::generate_recovery_key();
    {
        use age::secrecy::ExposeSecret;
        std::fs::write(dir.join("recovery-key.txt"), secret.expose_secret())
            .map_err(|e| Error::io(t!("cli-doing-writing-recovery-key"), dir, e))?;
    }
    std::fs::write(dir.join("passphrase.txt"), format!("{DEMO_PASSPHRASE}\n"))
        .map_err(|e| Error::io(t!("cli-doing-writing-demo-passphrase"), dir, e))?;
    if !json {
        println!("   {}", t!("cli-demo-public-key", key = &public));
        println!(
            "   {}",
            t!(
                "cli-demo-passphrase-in",
                path = format!("{d}/passphrase.txt")
            )
        );
    }

    step(
        json,
        t!("cli-demo-step-writer"),
        &format!("carevault demo write {d}/clinic --rate 100 &"),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (home, stop) = (clinic.clone(), stop.clone());
        std::thread::spawn(move || {
            demo::run_writer(
                &home,
                &WriterOptions {
                    rate_per_sec: Some(100),
                    max_transactions: None,
                    seed: 7,
                },
                &stop,
            )
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(500));

    step(json, t!("cli-demo-step-backup"),
        &format!("carevault backup --user nurse --home {d}/clinic --medium public --passphrase-file {d}/passphrase.txt --recovery-key {public}"));
    let profile = Profile::load(&clinic)?;
    let nurse = auth::permit::<Create>(&clinic, "nurse", demo_password("nurse"))?;
    let mut req = BackupRequest::new(
        &profile,
        Target::Medium(carevault_core::media::Medium::Public),
    );
    req.passphrase = Some(SecretString::from(DEMO_PASSPHRASE.to_string()));
    req.recovery_keys = vec![public.clone()];
    let t = std::time::Instant::now();
    let out = backup::create(&nurse, &req, &NoProgress);
    stop.store(true, Ordering::SeqCst);
    let stats = writer
        .join()
        .map_err(|_| Error::internal(t!("cli-demo-writer-panicked")))?
        .map_err(demo_error)?;
    let out = out?;
    if !json {
        println!(
            "   {}",
            t!(
                "cli-demo-backup-done",
                id = &out.metadata.sealed.id,
                size = human_size(out.size),
                seconds = format!("{:.2}", t.elapsed().as_secs_f64()),
                barrier = format!("{:.1}", out.barrier_ms),
                transactions = stats.transactions,
                wait = format!("{:.1}", stats.longest_wait_ms)
            )
        );
    }

    step(
        json,
        t!("cli-demo-step-list"),
        &format!("carevault list --user nurse --home {d}/clinic"),
    );
    let viewer = auth::permit::<View>(&clinic, "nurse", demo_password("nurse"))?;
    let listed = catalog::list(&viewer, std::slice::from_ref(&documents));
    if !json {
        super::output::print_listing(&listed, &|l| l.medium.clone().unwrap_or_else(|| "-".into()));
    }

    let pass = Unlock::Passphrase(SecretString::from(DEMO_PASSPHRASE.to_string()));
    step(
        json,
        t!("cli-demo-step-verify"),
        &format!(
            "carevault verify --user nurse --home {d}/clinic {} --passphrase-file {d}/passphrase.txt",
            out.path.display()
        ),
    );
    let v = verify::verify(
        &viewer,
        &out.path,
        Some(&pass),
        EncryptionSettings::default().max_work_factor,
        &NoProgress,
    )?;
    if !json {
        println!(
            "   {}",
            t!(
                "cli-demo-verify-done",
                entries = v.entries,
                data = human_size(v.data_bytes)
            )
        );
    }

    step(
        json,
        t!("cli-demo-step-restore"),
        &format!(
            "carevault restore {} --home {d}/restored --identity {d}/recovery-key.txt",
            out.path.display()
        ),
    );
    let id = carevault_core::parse_identity_file(
        &std::fs::read_to_string(dir.join("recovery-key.txt"))
            .map_err(|e| Error::io(t!("cli-doing-reading-recovery-key"), dir, e))?,
    )?;
    let rec = Unlock::RecoveryKey(id);
    // A new tablet: no clinic data, no users yet; the recovery key is the gate.
    let first_run = auth::first_run_restore(&restored)?;
    let outcome = restore::restore(
        &first_run,
        &RestoreRequest {
            file: &out.path,
            unlock: Some(&rec),
            max_log_n: EncryptionSettings::default().max_work_factor,
            dry_run: false,
            expect_id: None,
        },
        &NoProgress,
    )?;
    let RestoreOutcome::Restored(report) = &outcome else {
        return Err(Error::internal(t!("cli-demo-restore-returned-plan")));
    };
    let consistency = demo::check_consistency(&restored.join("data")).map_err(demo_error)?;
    if json {
        print_json(
            &json!({"result": "ok", "backup": out, "verify": v, "restore": report, "writer_transactions": stats.transactions, "consistency": consistency}),
        );
    } else {
        for c in &report.checks {
            println!(
                "   {}",
                super::commands::check_line(c.ok, &c.name, &c.expected, &c.actual, 34)
            );
        }
        println!(
            "   {}",
            t!(
                "cli-demo-consistency",
                restored = consistency.visits_from_writer,
                problems = consistency.problems.len()
            )
        );
        println!("\n{}", t!("cli-demo-done", dir = Path::new(dir)));
        print!("\n{}\n", next_steps(&d.to_string(), &out.path));
    }
    if report.checks.iter().any(|c| !c.ok) || !consistency.problems.is_empty() {
        return Err(Error::new(
            Kind::CheckFailed,
            t!("cli-demo-mismatch"),
            t!("cli-demo-mismatch-advice"),
        ));
    }
    Ok(())
}

/// What to try after the demo: the Backup Explorer on the demo clinic, the
/// demo users, and a few commands.
fn next_steps(d: &str, backup: &Path) -> Text {
    let file = backup
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    t!("cli-demo-next-steps", d = d, file = file)
}
