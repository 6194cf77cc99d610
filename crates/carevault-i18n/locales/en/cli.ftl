# carevault: cli messages (en).
# The English text is the command line's output as it always was: golden
# cases pin it byte for byte. `noun` is "passphrase" or "password".

## output.rs: errors, listings, words shared by several commands.
cli-error = error: { $message }
cli-error-cause = cause: { $cause }
cli-error-advice = what to do: { $advice }
cli-age-unknown = of unknown age
cli-age-under-a-minute = made under a minute ago
cli-age-minutes = made { $n } { $n ->
        [one] minute
       *[other] minutes
    } ago
cli-age-hours = made { $n } { $n ->
        [one] hour
       *[other] hours
    } ago
cli-age-days = made { $n } { $n ->
        [one] day
       *[other] days
    } ago
cli-yes = yes
cli-no = no
cli-none = none
cli-role-clinical-manager = Clinical Manager
cli-role-clinic-nurse = Clinic Nurse
cli-role-system-administrator = System Administrator
cli-role-clinic-staff = Clinic Staff
cli-list-none = No Results Returned
cli-list-col-label = Label/ID
cli-list-col-timestamp = Timestamp
cli-list-col-size = Size
cli-list-col-encrypted = Encrypted
cli-list-col-created-by = Created By
cli-list-col-location = Location
cli-list-col-found-on = Found On
cli-list-col-signature = Signature
cli-list-conflict = CONFLICT: another file has this ID
cli-list-damaged = DAMAGED: { $problem }
cli-trust-this-device = this device
cli-trust-trusted = trusted
cli-trust-not-trusted = not trusted
cli-trust-unsigned = unsigned
cli-trust-key = key { $id }

## progress.rs
cli-waiting-for-sync = waiting for the running synchronization to end (--wait-sync) ...
cli-phase-waiting-for-sync = Waiting for the synchronization to end
cli-phase-key-derivation = Checking the passphrase
cli-phase-backup = Writing the backup
cli-phase-read = Reading and checking
cli-phase-copy = Copying
cli-phase-upload = Uploading
cli-phase-download = Downloading
cli-phase-import = Importing

## secrets.rs: passphrases, passwords, the login.
cli-doing-reading-secret-stdin = reading the { $noun } from standard input
cli-doing-reading-secret-file = reading the { $noun } file
cli-doing-reading-secret = reading the { $noun }
cli-doing-reading-recovery-key = reading the recovery key file
cli-secret-file-empty = the { $noun } file { $path } is empty
cli-secret-file-empty-advice = write the { $noun } on its first line
cli-secret-no-terminal = a { $noun } is needed and there is no terminal to ask for it
cli-secret-no-terminal-advice = use { $flag } FILE or set { $var }
cli-secret-empty = the { $noun } is empty
cli-secret-empty-advice = type a { $noun }
cli-secret-differ = the two { $noun }s differ
cli-secret-differ-advice = run the command again and type the same { $noun } twice
cli-prompt = { $label }:
cli-prompt-repeat-passphrase = Repeat it
cli-prompt-repeat-password = Repeat it
cli-prompt-backup-passphrase = Backup passphrase
cli-prompt-password-for = Password for { $user }
cli-login-needed = this command needs a login
cli-login-needed-advice = give --user NAME (or set CAREVAULT_USER); the password comes from --password-file, CAREVAULT_PASSWORD or a prompt

## commands.rs: backup, verify, restore, show, delete, rekey, keygen.
cli-no-caps = NO
cli-unknown = unknown
cli-deleted = Deleted { $path }
cli-rekey-not-encrypted = this backup is not encrypted, so it has no passphrase to change
cli-rekey-not-encrypted-advice = make a new encrypted backup instead
cli-prompt-new-passphrase = New passphrase
cli-rekeyed = The passphrase of { $path } was changed; the old one no longer opens it.
cli-keygen-written = Recovery key written to { $path } (keep it offline, e.g. at the facility office).
cli-keygen-public = Public key (give this to backups with --recovery-key): { $key }
cli-key-file-exists = the key file already exists
cli-key-file-exists-advice = choose another file name; an existing key is never overwritten
cli-doing-writing-key-file = writing the key file
cli-verify-ok = OK: { $label } verified ({ $entries } entries, { $data } of data, file { $size })
cli-prompt-passphrase-for-backup = Passphrase for this backup
cli-backup-done = Backup complete: { $label } ({ $id })
cli-backup-note = note       { $note }
cli-backup-file = file       { $path }
cli-backup-size = size       { $size } ({ $data } of data in { $entries } entries)
cli-backup-encrypted = encrypted  { $encrypted }
cli-backup-verified = verified   { $verified }
cli-backup-verified-yes = yes: read back and every byte checked
cli-backup-verified-no = NO (--no-verify)
cli-backup-paused = app paused { $paused } while the snapshot of its databases was taken
cli-backup-paused-under-1-ms = under 1 ms
cli-backup-paused-ms = { $ms } ms
cli-backup-not-stored = not stored: { $what }
cli-restore-needs-confirmation = a restore over existing clinic data must be confirmed, and there is no terminal to ask at
cli-restore-needs-confirmation-advice = run it at a terminal to see what it replaces and answer, or add --yes in a script
cli-restore-would = Would restore { $label } ({ $id }), taken { $taken } by { $by }
cli-restore-done = Restored { $label } ({ $id }), taken { $taken } by { $by }
cli-restore-into = into       { $path }
cli-restore-replacing = replacing  { $files } files, { $size } (kept as a safety copy)
cli-restore-writes = writes     { $entries } entries, { $size }
cli-restore-space = space      need { $need }, have { $have }
cli-restore-safety-copy = safety copy of the replaced data: { $path }
cli-restore-checks = Verification against the backup's manifest:
cli-restore-dry-run = Dry run: nothing was changed.
cli-check-ok = ok
cli-check-diff = DIFF
cli-check-line = { $mark } { $name } expected { $expected } found { $actual }
cli-confirm-intro = This restore replaces the clinic data on this tablet with the backup:
cli-confirm-backup = backup     { $label } ({ $id }), made { $made } by { $by }
cli-confirm-patients = patients   { $now } now, { $backup } in the backup
cli-confirm-lost = LOST       { $n } outbox records not yet synchronized: the restore loses them
cli-confirm-outbox-synchronized = outbox     every record is synchronized
cli-confirm-safety-copy = The data it replaces is kept as a safety copy.
cli-confirm-question = Type yes to restore, anything else to stop:
# The word the person types to say yes (the question names it).
cli-confirm-yes-word = yes
cli-show-label = Label/ID    { $label } ({ $id })
cli-show-timestamp = Timestamp   { $local } (UTC { $utc })
cli-show-created-by = Created By  { $by }
cli-show-location = Location    { $location }
cli-show-encrypted = Encrypted   { $encrypted }
cli-show-size = Size        { $size }
cli-show-facility = Facility    { $facility }  Device { $device }
cli-show-version = Version     app { $app }, format { $format }
cli-show-file = File        { $path }
cli-show-signature = Signature   { $signature }
cli-show-verified-ok = Verified    OK at { $at }
cli-show-verified-failed = Verified    FAILED at { $at }: { $problem }
cli-show-verified-never = Verified    never (run `carevault verify`)
cli-show-contents = Contents    { $entries } entries, { $data } of data; realm { $realm }, endpoint { $endpoint }
cli-show-contents-hidden = Contents    (use --contents with the passphrase to see them)

## admin.rs: users, audit trail, sync state, status, auto.
cli-prompt-new-user-password = New user's password
cli-role-unknown = { $name } is not a role carevault knows
cli-role-unknown-advice = use "Clinical Manager", "Clinic Nurse", "System Administrator" or "Clinic Staff"
cli-first-user-admin = the first user must be a System Administrator
cli-first-user-admin-advice = add them with --role "System Administrator"
cli-user-added = Added { $name } ({ $role })
cli-user-password-changed = Password of { $name } changed
cli-user-role-changed = { $name } is now { $role }
cli-audit-intact = OK: { $entries } entries, the chain is intact
cli-audit-altered = the audit trail was altered: { $n } problem(s)
cli-audit-altered-advice = keep a copy of private/audit.log for investigation and report it to the System Administrator
cli-sync-idle = Idle
cli-sync-running = Running
cli-sync-running-since = Running since { $since }
cli-status-sync = Synchronization  { $state }
cli-status-medium = { $medium } { $dir } { $free } free  newest: { $newest }
cli-status-safety-copies = Safety copies    { $count } ({ $size }; `carevault safety-copies list`)
cli-status-offsite = Offsite          { $pending } pending, newest copy { $newest }
cli-status-offsite-days-old = { $days } days old
cli-status-offsite-none-yet = none yet
cli-status-warning = WARNING: { $warning }
cli-auto-made = Automatic backup made: { $id } ({ $size }), because { $reason }
cli-auto-none = No automatic backup: { $reason }
cli-auto-removed = Removed old automatic backup { $path }

## trust.rs: trusted keys, and what a restore changes besides the data.
cli-doing-reading-key-file = reading the key file
cli-doing-reading-facility-key = reading the facility key
cli-trust-added = Trusted key { $id } ({ $name })
cli-trust-own = This tablet  { $id }  { $key }
cli-trust-none = No trusted keys (add another tablet's with `carevault trust add`)
cli-trust-certified = This tablet's key is certified by a facility key
cli-trust-kind-device = Trusted
cli-trust-kind-facility = Facility
cli-trust-entry = { $kind }     { $id }  { $key }  { $name } (added by { $by } at { $at })
cli-facility-key-written = Facility key written to { $path } (keep it offline, e.g. with the recovery keys).
cli-facility-key-public = Public key (trust it with `carevault trust add KEY --facility`): { $key }
cli-facility-key-id = Key ID: { $id }
cli-facility-key-missing = the facility key file does not exist
cli-facility-key-missing-advice = give the file written by `carevault trust facility-key`
cli-trust-certify-done = This tablet's key is certified by facility key { $id }; new backups carry the certificate.
cli-trust-removed = No longer trusted: key { $id } ({ $name })
cli-changes-signature = signature
cli-changes-found-on = found on
cli-changes-facility = facility
cli-changes-device = device
cli-changes-from-to = CHANGES from { $now } to { $after }
cli-changes-users-after = users after the restore: { $users }
cli-changes-warning = WARNING
cli-changes-unsynced = { $n } outbox records are not yet synchronized; the restore would lose them
cli-changes-needs-admin = needs a System Administrator: { $why }

## safety.rs
cli-safety-none = No safety copies: no restore has replaced clinic data here.
cli-safety-entry = { $name }  kept { $kept }  { $files } files, { $size }
cli-safety-total = { $count } safety copies, { $size } in all
cli-safety-restored = The safety copy { $name } is the clinic data again.
cli-safety-kept-in = the data it replaced is kept in { $path }
cli-safety-removed = Removed the safety copy { $name } ({ $size }).

## serve.rs
cli-serve-runtime-failed = the server runtime could not start: { $err }
cli-doing-listening = listening on { $addr }
cli-doing-reading-address = reading the listening address
cli-doing-serving = serving the Backup Explorer
cli-serve-url = Backup Explorer: { $url }  (Ctrl-C to stop)
cli-serve-not-loopback = warning: listening on { $addr }: other devices on the network can reach the Backup Explorer

## import.rs: the SanteDB import.
cli-prompt-santedb-passphrase = Passphrase of the SanteDB backup
cli-prompt-import-new-passphrase = Passphrase for the carevault backup
cli-import-encrypted = encrypted
cli-import-not-encrypted = not encrypted
cli-import-made-by = , made { $at } by { $by }
cli-import-made = , made { $at }
cli-import-done = Imported SanteDB backup { $file } (layout { $layout }, { $encrypted }{ $made })
cli-import-would = Would import SanteDB backup { $file } (layout { $layout }, { $encrypted }{ $made })
cli-import-database = database ({ $envelope } envelope), { $rows } rows in { $tables } tables
cli-import-database-wal = database ({ $envelope } envelope, WAL replayed), { $rows } rows in { $tables } tables
cli-import-assets = { $count } assets, { $data } of data
cli-import-warning = warning: { $warning }
cli-import-created = created    { $at } by { $by }
cli-import-dry-run = Dry run: nothing was written.

## check_bucket.rs
cli-bucket-enabled = enabled
cli-bucket-off = off
cli-bucket-not-set = not set
cli-bucket-not-supported = not supported by this store
cli-bucket-head = Bucket { $bucket } at { $endpoint }:
cli-bucket-versioning = versioning:   { $state }
cli-bucket-days = { $n } days
cli-bucket-years = { $n } years
cli-bucket-no-period = (no period)
cli-bucket-retention = , default retention { $mode } { $period }
cli-bucket-object-lock = object lock:  { $state }{ $retention }
cli-bucket-lifecycle = lifecycle:    { $state }
cli-bucket-uploads = incomplete uploads: { $n } in the bucket
cli-bucket-uploads-stale = { $n } of them older than the abort rule's { $days } days: the lifecycle rule is not removing them
cli-bucket-uploads-refused = incomplete uploads: this key may not list them
cli-bucket-uploads-unsupported = incomplete uploads: this store cannot list them
cli-bucket-uploads-failed = incomplete uploads: not listed ({ $message })
cli-bucket-abort-uploads = incomplete multipart uploads aborted after { $n } days
cli-bucket-expire-noncurrent = noncurrent versions expire after { $n } days
cli-bucket-missing = MISSING: { $what }
cli-bucket-incomplete = the bucket lacks { $n } of the recommended settings
cli-bucket-incomplete-advice = apply the bucket settings of docs/OFFSITE.md (steps 2 to 4), or use a store that has them

## offsite.rs
cli-never = never
cli-offsite-push-nothing-named = name the backups to copy offsite, or give --all
cli-offsite-push-nothing-named-advice = run `carevault offsite push --all`, or `carevault offsite status` to see what is pending
cli-offsite-copied = Copied offsite: { $id } ({ $size }) as { $key } (checked before the upload: { $checked }; stored size and ETag checked after it)
cli-offsite-push-failed-some = { $failed } of { $total } backups could not be copied offsite; the first error:
cli-offsite-nothing-to-copy = Nothing to copy: every backup asked for is offsite already.
cli-offsite-not-configured = Offsite copies are not configured (add [offsite] to carevault.toml: docs/OFFSITE.md).
cli-offsite-status-offsite = Offsite   { $n } backup(s)
cli-offsite-status-pending = Pending   { $n } backup(s), { $size } to upload
cli-offsite-status-last-success = Last success  { $at }
cli-offsite-status-last-error = Last error    { $at } ({ $code }): { $message }
cli-offsite-status-resuming = Unfinished  { $n } upload(s) that carevault offsite push resumes
cli-offsite-status-abandoned = Abandoned   { $n } incomplete upload(s) under this tablet's prefix that no local journal resumes:
cli-offsite-status-abandoned-one =   { $key } (started { $initiated }, { $days } day(s) ago)
cli-offsite-status-abandoned-advice = They take storage until the bucket's lifecycle rule aborts them: apply the abort-incomplete-uploads rule of docs/OFFSITE.md (step 4). This tablet cannot resume them.
cli-offsite-status-uploads-refused = Incomplete uploads: the offsite key may not list them (s3:ListBucketMultipartUploads); the bucket's lifecycle rule (docs/OFFSITE.md, step 4) aborts abandoned ones
cli-offsite-status-uploads-unsupported = Incomplete uploads: this store cannot list them
cli-offsite-status-uploads-failed = Incomplete uploads not checked: { $message }
cli-offsite-no-sidecar = (no sidecar)
cli-offsite-downloaded = Downloaded { $path } ({ $size }); checked against its sidecar and its own container.

## fleet.rs
cli-fleet-no-store = no store was given
cli-fleet-no-store-advice = give --store s3://BUCKET/PREFIX/ (docs/FLEET.md)
cli-fleet-head = { $store }: { $devices } devices; listed { $listed } objects, read { $read } new or changed, { $unchanged } unchanged, { $removed } gone.
cli-fleet-col-facility = FACILITY
cli-fleet-col-device = DEVICE
cli-fleet-col-backups = BACKUPS
cli-fleet-col-newest-backup = NEWEST BACKUP
cli-fleet-col-size = SIZE
cli-fleet-col-trend = TREND
cli-fleet-col-newest-offsite = NEWEST OFFSITE
cli-fleet-col-age = AGE (DAYS)
cli-fleet-col-verified = VERIFIED
cli-fleet-col-audit = AUDIT
cli-fleet-none-at-risk = No device is at risk (policy: an offsite copy within { $days } days).
cli-fleet-at-risk = AT RISK ({ $n } devices):
cli-fleet-problems = Objects that could not be used ({ $n }):
cli-fleet-problems-more = … and { $n } more, not listed (at most 20 per device are listed; --json counts them in problems_not_listed)
cli-fleet-audit-head = { $store }: { $listed } backups, { $checked } checked, { $ok } passed.
cli-fleet-audit-damaged = DAMAGED { $key }: { $message }
cli-fleet-audit-failed = { $damaged } of { $checked } backups checked are damaged
cli-fleet-audit-failed-advice = use another copy of each damaged backup (the tablet's own, or an External one), and have its tablet push a new backup

## demo.rs: the demo's report (the commands it shows stay as they are).
cli-demo-created = Demo clinic created in { $home }: { $patients } patients, { $visits } visits, { $photos } photos, { $size } on disk
cli-demo-sync-done = Synchronization finished: pushed { $pushed }, pulled { $pulled } in { $steps } steps
cli-demo-writer-stopped = Demo writer stopped after { $transactions } transactions (longest wait for the write barrier { $wait } ms; longest change { $longest } ms, 99% within { $p99 } ms)
cli-demo-failed-advice = see the message; `carevault demo init` needs an empty folder
cli-demo-folder-not-ours = the demo folder exists and was not made by `carevault demo`
cli-demo-folder-not-ours-advice = choose another folder with --dir
cli-doing-removing-demo = removing the previous demo run
cli-doing-creating-demo = creating the demo folder
cli-doing-writing-recovery-key = writing the recovery key
cli-doing-writing-demo-passphrase = writing the demo passphrase
cli-demo-step-init = 1. Create a demo clinic
cli-demo-init-done = { $patients } patients, { $visits } visits, { $immunizations } immunizations, { $outbox } outbox entries, { $photos } photos; { $size } on disk ({ $seconds } s)
cli-demo-step-keygen = 2. Make a facility recovery key
cli-demo-public-key = public key { $key }
cli-demo-passphrase-in = demo passphrase in { $path }
cli-demo-step-writer = 3. Start the demo app writer (it keeps committing changes)
cli-demo-step-backup = 4. Back up as the nurse, encrypted, to Public storage (the clinic's Documents folder) while the writer writes
cli-demo-writer-panicked = the demo writer thread panicked
cli-demo-backup-done = { $id } -> { $size } in { $seconds } s (write barrier held { $barrier } ms; the writer committed { $transactions } changes meanwhile, longest wait { $wait } ms)
cli-demo-step-list = 5. List the backups
cli-demo-step-verify = 6. Verify every byte
cli-demo-verify-done = OK: { $entries } entries, { $data } of data
cli-demo-step-restore = 7. Restore into a new, empty app home (as on a replacement tablet), with the recovery key
cli-demo-restore-returned-plan = restore returned a plan
cli-demo-consistency = cross-database consistency: { $restored } writer transactions restored whole, { $problems } problems
cli-demo-done = Done. Everything is in { $dir }.
cli-demo-mismatch = the demo's restored data does not match its backup
cli-demo-mismatch-advice = report this with the demo folder
cli-demo-next-steps =
    What to try next:
      Open the Backup Explorer on the demo clinic:
        carevault serve --home { $d }/clinic
      then browse to http://127.0.0.1:8080 and log in as nurse (password
      nurse-demo-pass); the other demo users are admin, manager and staff, each
      with the password NAME-demo-pass. The backup made above is listed there:
      open its details, "Verify now" with the passphrase in { $d }/passphrase.txt.
      From the command line (the password from the environment, demo only):
        export CAREVAULT_USER=nurse CAREVAULT_PASSWORD=nurse-demo-pass
        carevault status --home { $d }/clinic
        carevault show { $file } --home { $d }/clinic
        carevault verify { $file } --home { $d }/clinic --passphrase-file { $d }/passphrase.txt
        carevault restore { $file } --home { $d }/clinic --passphrase-file { $d }/passphrase.txt
      The restored copy (as on a replacement tablet) is in { $d }/restored.

## help.rs: each command's description in `--help` (the doc comments of
## src/cli/args.rs, offsite.rs and fleet.rs, as clap shows them).
cli-about = Backup and restore for clinic data on offline tablets
cli-about-demo = Run the whole cycle on a fresh demo clinic (see README)
cli-about-demo-init = Create a demo app home with realistic clinic data
cli-about-demo-sync = Run the sync simulator (holds the sync lock and writes like a real synchronization)
cli-about-demo-write = Run the demo app writer (commits changes until stopped with Ctrl-C)
cli-about-backup = Make a backup of the app home's data
cli-about-verify = Read a backup completely and check every byte
cli-about-restore = Restore a backup into the app home (the data it replaces is kept)
cli-about-list = List the backups in the app home's Private folder and the given folders
cli-about-show = Show one backup's details (and, with the passphrase, its contents)
cli-about-delete = Delete a backup
cli-about-rekey = Change a backup's passphrase (the payload is not re-encrypted)
cli-about-users = Users and their roles (System Administrator only; the first user of an empty home needs no login)
cli-about-users-add = Add a user (password from --new-password-file, CAREVAULT_NEW_PASSWORD or a prompt)
cli-about-users-list = List users and roles
cli-about-users-passwd = Set a user's password
cli-about-users-role = Change a user's role
cli-about-audit = The audit trail
cli-about-audit-list = Show the audit trail
cli-about-audit-verify = Check the audit trail's hash chain (finds edited, removed or reordered entries)
cli-about-safety-copies = The data that restores replaced: list, put back, remove
cli-about-safety-copies-list = The safety copies, newest first, with their size
cli-about-safety-copies-restore = Put a safety copy back as the clinic data (System Administrator; the data it replaces becomes a safety copy in turn)
cli-about-safety-copies-remove = Remove a safety copy (System Administrator)
cli-about-trust = The signing keys of the facility's other tablets whose backups nurses and managers may restore here (System Administrator only)
cli-about-trust-add = Trust another tablet's signing key (as `trust list` shows it there, or its minisign .pub file)
cli-about-trust-facility-key = Make a facility key pair that countersigns device keys (the secret goes to FILE, kept offline like a recovery key; no login needed)
cli-about-trust-certify = Certify this tablet's device key with the facility key, so that tablets trusting the facility key trust this tablet's backups
cli-about-trust-list = This tablet's own signing key and the trusted keys
cli-about-trust-remove = Stop trusting a key (by key ID or name)
cli-about-sync = Synchronization state
cli-about-sync-status = Idle or Running (and since when)
cli-about-status = Sync state, newest backup per medium, free space, weekly-backup warning
cli-about-auto = Make an automatic Private backup if one is due, then apply retention
cli-about-serve = Serve the Backup Explorer (web app and JSON API, docs/API.md) until Ctrl-C; also makes automatic backups on the profile's interval
cli-about-import = Import a backup made by another system as a carevault backup
cli-about-import-santedb = Read a SanteDB backup of any layout (.bin, .sdbk, .tar.gz) and write one carevault backup of it (docs/IMPORT.md)
cli-about-offsite = Copies of the backups on S3-compatible object storage (docs/OFFSITE.md)
cli-about-offsite-push = Upload finished backups that are not offsite yet
cli-about-offsite-status = What is offsite, what is pending, the last success and error, and the incomplete uploads left in the store
cli-about-offsite-list = The backups in the store under this tablet's prefix
cli-about-offsite-get = Download a backup from the store into a folder (resumable)
cli-about-offsite-check-bucket = Whether the bucket has versioning, object lock with a default retention, and the recommended lifecycle rules
cli-about-fleet = Every tablet in a ministry's bucket: newest backups and offsite copies, audit anchors, devices at risk; `fleet audit` checks backups (docs/FLEET.md)
cli-about-fleet-audit = Download backups (a sample or all) and check them without the passphrase
cli-about-keygen = Make a recovery key pair (the facility keeps the secret half)

## carevault-demo: DemoError::text (its Display is the same English).
## `action` and `what` are the demo library's English words.
cli-demo-err-already-initialized = { $path } already holds clinic databases ({ $found }): demo init only fills an empty app home; choose another home folder, or move { $path } away first
cli-demo-err-data-not-empty = { $path } is not empty (it holds { $found }): demo init only fills an empty app home; choose another home folder, or move { $path } away first
cli-demo-err-invalid-options = invalid demo options: { $detail }
cli-demo-err-io = could not { $action } { $path }: { $err }
cli-demo-err-sqlite = SQLite failed to { $action } in { $path }: { $err }
cli-demo-err-password-hash = could not hash the password of demo user { $user }: { $message }
cli-demo-err-missing-database = { $path } is missing: this is not a demo data folder (or a restore left it incomplete); run `carevault demo init` on a fresh home, or restore a complete backup
cli-demo-err-not-demo-data = { $path } has no { $what }: the demo writer needs a generated demo clinic; run `carevault demo init` on a fresh home first
cli-demo-err-retries-exhausted = the demo writer gave up after { $seconds } s of retries on { $path } (last error: { $last }); check that the data folder exists and is writable, then start the writer again
cli-demo-err-partial-write = writer transaction { $txn } committed in clinical.db but not in sync.db ({ $cause }), and undoing it failed ({ $undo }): { $path } now holds a partial transaction; restore a backup or re-create the demo home

## help.rs: --help in French. Each option's and argument's help (the
## doc comment in args.rs, offsite.rs and fleet.rs as clap shows it, without
## the final full stop), clap's headings and its built-in help texts. The
## English messages are what clap prints (English help is clap's own).
cli-help-usage = Usage:
cli-help-heading-commands = Commands
cli-help-heading-arguments = Arguments
cli-help-heading-options = Options
cli-help-value-command = COMMAND
cli-help-default = [default: { $value }]
cli-help-about-help = Print this message or the help of the given subcommand(s)
cli-arg-help = Print help
cli-arg-version = Print version
cli-arg-json = Print results as JSON (see docs/JSON.md)
cli-arg-user = Log in as this user (their role decides what is allowed)
cli-arg-password-file = Read the user's password from this file ("-" = standard input). Else CAREVAULT_PASSWORD, else a prompt
cli-arg-home = The app home (holds data/, private/ and carevault.toml)
cli-arg-in = Also look in this folder (repeatable)
cli-arg-media = Only this medium (private, public or external)
cli-arg-backup = Backup ID, label or file (docs/CLI.md, "Naming a backup")
cli-arg-passphrase-file = Read the passphrase from this file ("-" = standard input). Else CAREVAULT_PASSPHRASE, else a prompt on the terminal
cli-arg-identity = Unlock with a recovery key file (from `carevault keygen`) instead of the passphrase
cli-arg-wait-sync = Wait up to this many seconds for a running synchronization to end
cli-arg-out = Write the secret key to this file (refuses to overwrite)
cli-arg-demo-dir = Folder for the demo run (replaced if an earlier demo made it)
cli-arg-demo-patients = Patients in the demo clinic
cli-arg-demo-photos = Photos in the demo clinic
cli-arg-demo-init-home = Where to create it
cli-arg-demo-home = The app home
cli-arg-demo-seconds = How long the synchronization lasts
cli-arg-demo-rate = Transactions per second (default: as fast as possible)
cli-arg-demo-max = Stop after this many transactions
cli-arg-backup-to = Write to this folder instead of a medium (the External policy applies)
cli-arg-backup-label = A label shown in listings
cli-arg-backup-medium = Medium: private, public or external (falls back to public when no SD card or USB drive is mounted)
cli-arg-backup-passphrase-file = Read the passphrase from this file ("-" = standard input)
cli-arg-backup-no-encrypt = Make an unencrypted backup (refused where policy requires encryption)
cli-arg-backup-recovery-key = A recovery public key (age1...) that can also unlock the backup (repeatable)
cli-arg-backup-no-verify = Skip reading the written file back before reporting it (for benchmarks only: an unverified backup may not be restorable)
cli-arg-restore-dry-run = Print what would happen and change nothing
cli-arg-restore-yes = Replace existing clinic data without asking (for scripts; at a terminal the restore asks, showing what it replaces)
cli-arg-restore-full-check = Run the whole `PRAGMA integrity_check` of every restored database, even where the backup sealed its own passing check
cli-arg-show-contents = Show contents too (asks for the passphrase)
cli-arg-rekey-new-passphrase-file = Read the new passphrase from this file. Else CAREVAULT_NEW_PASSPHRASE, else a prompt
cli-arg-users-role = "Clinical Manager", "Clinic Nurse", "System Administrator" or "Clinic Staff"
cli-arg-safety-copy-name = Its name, as `list` shows it
cli-arg-trust-key = The public key (starts with RW), or a file holding it
cli-arg-trust-name = A name for the tablet (or facility) the key belongs to
cli-arg-trust-facility = KEY is a facility key (`trust facility-key`): trust every tablet whose device key it certified
cli-arg-trust-facility-key = The facility's secret key file
cli-arg-trust-remove-key = Key ID or name
cli-arg-serve-listen = Address and port to listen on (loopback unless told otherwise)
cli-arg-serve-max-upload = Largest backup file accepted as an upload, in bytes (default 8 GiB)
cli-arg-santedb-file = The SanteDB backup file
cli-arg-santedb-passphrase-file = Read the SanteDB backup's passphrase from this file ("-" = standard input). Else CAREVAULT_SANTEDB_PASSPHRASE, else a prompt; asked only when the file is encrypted
cli-arg-santedb-to = Folder for the carevault backup (the External policy applies)
cli-arg-santedb-label = A label for the carevault backup (default: SanteDB-<creation time>)
cli-arg-santedb-encrypt-with-passphrase-file = Read the carevault backup's passphrase from this file. Else CAREVAULT_NEW_PASSPHRASE, else a prompt
cli-arg-santedb-no-encrypt = Make the carevault backup unencrypted (refused where policy requires encryption)
cli-arg-santedb-recovery-key = A recovery public key (age1...) that can also unlock the carevault backup (repeatable)
cli-arg-santedb-dry-run = Read and check everything, print what would be imported, write nothing
cli-arg-offsite-push-ids = Backup IDs to upload
cli-arg-offsite-push-all = Every local backup that is not offsite yet
cli-arg-offsite-list-device = Another tablet's device key ID, for the `{"{"}device{"}"}` part of the prefix (a replacement tablet reading the lost one's copies)
cli-arg-offsite-get-id = Backup ID (or its file name)
cli-arg-offsite-get-to = The folder to put it in
cli-arg-offsite-get-device = Another tablet's device key ID (see `list --device`)
cli-arg-check-bucket-store = Check this bucket (s3://BUCKET) rather than the profile's
cli-arg-check-bucket-config = With --store: the settings file (see `carevault fleet --help`)
cli-arg-fleet-store = The bucket and prefix the tablets write under: s3://BUCKET/PREFIX/
cli-arg-fleet-config = A file (mode 0600) with `endpoint`, `region`, `access_key` and `secret_key` lines; else CAREVAULT_S3_ENDPOINT, CAREVAULT_S3_REGION, CAREVAULT_S3_ACCESS_KEY and CAREVAULT_S3_SECRET_KEY
cli-arg-fleet-index = The index file (SQLite), made if missing
cli-arg-fleet-days = A device with no offsite copy newer than this many days is at risk
cli-arg-fleet-full = List every folder from its start, as one run in ten does: finds keys written out of order and drops objects gone from the bucket
cli-arg-fleet-audit-sample = Check this many backups, picked at random (default: all)

# Steps of the demo generator that can fail on a folder or SQLite (cli-demo-err-io, -sqlite).
cli-demo-doing-apply-pulled-changes = apply pulled changes
cli-demo-doing-attach-read-only = attach read-only
cli-demo-doing-begin = begin
cli-demo-doing-begin-the-bulk-load = begin the bulk load
cli-demo-doing-check-consistency = check consistency
cli-demo-doing-close-the-database = close the database
cli-demo-doing-commit = commit
cli-demo-doing-commit-the-bulk-load = commit the bulk load
cli-demo-doing-complete-the-sync-log-entry = complete the sync log entry
cli-demo-doing-count-writer-outbox-entries = count writer outbox entries
cli-demo-doing-count-writer-visits = count writer visits
cli-demo-doing-create = create
cli-demo-doing-create-the-app-home = create the app home
cli-demo-doing-create-the-database = create the database
cli-demo-doing-create-the-folder = create the folder
cli-demo-doing-create-the-staging-folder = create the staging folder
cli-demo-doing-create-the-sync-indexes = create the sync indexes
cli-demo-doing-create-the-sync-tables = create the sync tables
cli-demo-doing-create-the-users-table = create the users table
cli-demo-doing-fsync = fsync
cli-demo-doing-fsync-the-folder = fsync the folder
cli-demo-doing-generate-clinical-data = generate clinical data
cli-demo-doing-go-on-synchronizing = go on synchronizing
cli-demo-doing-insert-a-sync-log-entry = insert a sync log entry
cli-demo-doing-insert-a-user = insert a user
cli-demo-doing-insert-an-outbox-entry = insert an outbox entry
cli-demo-doing-list = list
cli-demo-doing-open = open
cli-demo-doing-open-read-only = open read-only
cli-demo-doing-prepare = prepare
cli-demo-doing-push-outbox-entries = push outbox entries
cli-demo-doing-read-the-identity-of = read the identity of
cli-demo-doing-read-the-schema = read the schema
cli-demo-doing-read-the-size-of = read the size of
cli-demo-doing-run-a-writer-transaction = run a writer transaction
cli-demo-doing-serialize = serialize
cli-demo-doing-set-the-busy-timeout = set the busy timeout
cli-demo-doing-set-the-schema-version = set the schema version
cli-demo-doing-set-up-the-bulk-load = set up the bulk load
cli-demo-doing-start-the-sync-log-entry = start the sync log entry
cli-demo-doing-switch-to-wal-mode = switch to WAL mode
cli-demo-doing-take-the-sync-lock-in = take the sync lock in
cli-demo-doing-take-the-write-barrier-in = take the write barrier in
cli-demo-doing-write = write
cli-demo-doing-move-the-generated-data-into-place-at = move the generated data into place at
cli-demo-doing-remove-the-leftover-staging-folder = remove the leftover staging folder
cli-fleet-serve-url = Fleet page: { $url }  (Ctrl-C to stop)
cli-doing-serving-fleet = serving the fleet page
cli-fleet-serve-needs-token = { $addr } is not a loopback address, and no access token was given
cli-fleet-serve-needs-token-advice = give --token-file FILE (mode 0600, made with: umask 077; openssl rand -hex 32 > FILE), or listen on 127.0.0.1
cli-doing-reading-token = reading the access token file
cli-fleet-token-not-file = the access token file is not a regular file
cli-fleet-token-readable = the access token file may be read by other users; it was not used
cli-fleet-token-bad = the access token file must hold one line of at least 32 printable characters
cli-fleet-token-advice = make it with: umask 077; openssl rand -hex 32 > FILE
cli-about-fleet-serve = A read-only web page of the fleet report, on this machine (docs/FLEET.md)
cli-arg-fleet-serve-listen = Address and port to listen on (loopback unless told otherwise)
cli-arg-fleet-serve-token-file = A file (mode 0600) holding the access token the page asks for; required when --listen is not a loopback address
