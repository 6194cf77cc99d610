# carevault: ops messages (en).

## Restore
ops-restore-file-changed = the file changed after backup { $want } was chosen: it now holds backup { $got }; nothing was changed
ops-restore-file-changed-advice = choose the backup again from the list, and check who can write to that folder
ops-restore-no-space = not enough free space to restore: need { $need }, have { $have }
ops-restore-no-space-advice = free { $missing } on the storage of { $home }
ops-restore-not-confirmed = the restore was not confirmed, so nothing was changed
ops-restore-not-confirmed-advice = run it again and answer yes to replace the clinic data (or add --yes in a script)

## Checks of the restored data
ops-check-disk-full = the disk is full while checking the restored data ({ $what }); nothing was changed
ops-check-disk-full-advice = free space on the app home's storage and run the restore again
ops-check-io = the system could not complete checking the restored data ({ $what }: { $err }); nothing was changed
ops-check-io-advice = check that the storage is present and writable, then run the restore again
ops-check-sql-failed = { $what } ({ $err })
ops-check-failed = the restored data failed its checks: { $what }; nothing was changed
ops-check-failed-advice = use another backup; keep this file for investigation
ops-check-integrity-says = { $path } integrity_check says: { $problem }
ops-check-not-carevault-form = { $path } is not stored as carevault stores databases (rollback-journal mode, bytes 18 and 19 of its header set to 1)
ops-check-row-counts-differ = { $path } row counts differ from the manifest
ops-check-db-cannot-open = { $path } cannot be opened
ops-check-journal-mode-not-set = { $path } journal mode cannot be set
ops-check-cannot-open-for-checks = { $path } cannot be opened for its checks ({ $err })
ops-check-path = { $path }
ops-check-difference = { $name }: the backup's manifest says { $expected }, its data holds { $actual }
ops-check-difference-list = { $list }; { $next }
ops-check-differs-from-manifest = the backup's data differs from its own manifest ({ $diffs }); nothing was changed
ops-check-db-cannot-check = { $path } cannot be checked
ops-db-check-stopped = a database check stopped unexpectedly; nothing was changed
ops-db-check-stopped-advice = run the restore again; if it happens again, report it
ops-restore-flush-failed = the backup was restored, but flushing the app home failed ({ $problem })
ops-restore-flush-failed-advice = the restored data is in place; if the tablet loses power now, the next carevault command repairs the state
ops-restore-safety-copy-not-filed = the backup was restored, but the replaced data could not be moved to safety-copies ({ $problem }); it is still in { $dir }
ops-restore-safety-copy-not-filed-advice = nothing is lost: the next carevault command files it as a safety copy
ops-recover-completed = an interrupted restore was completed; the data it replaced is kept in { $kept }
ops-recover-undone = an interrupted restore was undone; the data was not changed ({ $name } removed)
ops-restore-users-unreadable = the users in the backup cannot be read: { $err }
ops-restore-users-unreadable-advice = use another backup; this one's user database is damaged
ops-restore-sync-running = a synchronization is in progress, so the restore was not started
ops-restore-sync-running-unsynced = a synchronization is in progress, so the restore was not started; { $n } outbox records are not yet synchronized, and restoring would lose them
ops-restore-sync-running-after-wait = a synchronization is still in progress after the wait, so the restore was not started
ops-restore-sync-running-after-wait-unsynced = a synchronization is still in progress after the wait, so the restore was not started; { $n } outbox records are not yet synchronized, and restoring would lose them
ops-restore-sync-running-advice = wait until System > Synchronization says Idle, then restore again (or use --wait-sync SECONDS)

## Users, logins and roles
ops-login-wrong = the user name or password is wrong
ops-login-wrong-advice = check both and try again; a System Administrator can reset a password with `carevault users passwd`
ops-auth-may-not = { $user } ({ $role }) may not { $action }
ops-auth-may-not-advice = ask someone with the role { $roles } to do it
ops-first-run-has-data = this app home already holds clinic data, so a restore needs a login
ops-first-run-has-data-advice = log in with --user as a Clinical Manager, Clinic Nurse or System Administrator
ops-first-user-exists = this app home already has users
ops-first-user-exists-advice = log in as a System Administrator to add more
ops-role-clinical-manager = Clinical Manager
ops-role-clinic-nurse = Clinic Nurse
ops-role-system-administrator = System Administrator
ops-role-clinic-staff = Clinic Staff
ops-roles-or = { $list } or { $next }
ops-roles-none = no role
ops-action-view = view backups
ops-action-create = create backups
ops-action-restore = restore backups
ops-action-delete = delete backups
ops-action-manage-users = manage users
ops-action-audit-trail = read the audit trail
ops-action-manage-trust = manage the trusted signing keys
ops-users-db-unreadable = the user database could not be read while { $what }: { $err }
ops-users-db-unreadable-advice = check data/users.db
ops-users-while-opening = opening it
ops-users-while-creating = creating it
ops-users-while-checking-session = checking a session
ops-users-while-checking-login = checking a login
ops-users-while-listing = listing users
ops-users-while-adding = adding a user
ops-users-while-changing = changing a user
ops-users-not-a-table = data/users.db is not a user database carevault can read: its users are a { $kind }, not a table
ops-users-not-a-table-advice = restore a backup with a sound user database, or ask a System Administrator to replace data/users.db
ops-users-bad-name = a user name is 1 to 64 letters, digits or . _ - @
ops-users-bad-name-advice = choose another user name
ops-users-password-short = the password is shorter than 8 characters
ops-users-password-short-advice = choose a longer password
ops-users-exists = the user { $user } already exists
ops-users-exists-advice = choose another name, or change their role
ops-users-no-such-user = there is no user { $user }
ops-users-no-such-user-advice = run `carevault users list` to see the users

## Audit trail verification (problems)
ops-audit-log-deleted = the audit log is missing, but the head file says it held entries up to seq { $seq }: it was deleted
ops-audit-log-missing-head-damaged = the audit log is missing and its head file is damaged ({ $why })
ops-audit-entry-hash-mismatch = entry seq { $seq } (line { $line }) was altered: its contents no longer match its hash
ops-audit-entry-rewritten = entry seq { $seq } (line { $line }) was altered: the line is not exactly as carevault wrote it (fields added, repeated or reordered, or spacing changed)
ops-audit-first-not-start = entry seq 1 (line { $line }) does not start the trail: its link to a previous entry should be all zeros, so it was changed or the start of the trail was replaced
ops-audit-broken-link = entry seq { $seq } (line { $line }) does not link to entry seq { $prev } before it: entry seq { $prev } was changed or replaced after entry seq { $seq } was written
ops-audit-line-seq = line { $line } (entry seq { $seq })
ops-audit-line-first = line { $line } (before any readable entry)
ops-audit-line-after = line { $line } (after entry seq { $prev })
ops-audit-line-incomplete = { $what } is incomplete: the log ends in the middle of an entry (a write was interrupted, or the file was cut short)
ops-audit-line-damaged = { $what } is damaged and cannot be read as an audit entry: { $why }
ops-audit-entry-repeated = entry seq { $seq } appears { $times } times in the log: entries were copied or replayed
ops-audit-why-removed-or-damaged = removed after being written, or unreadable in a damaged line
ops-audit-why-removed = removed after being written
ops-audit-head-missing = the head file audit.head is missing, so the removal of the last entries cannot be ruled out (the next entry appended writes it again)
ops-audit-head-damaged = the head file audit.head is damaged ({ $why }), so the removal of the last entries cannot be ruled out
ops-audit-why-head-went-on = the head file says the trail went on to seq { $seq }
ops-audit-why-head-last = the head file says the last entry is seq { $seq }: entries were removed or the file was cut short
ops-audit-head-mismatch = entry seq { $seq } does not match the head file, which recorded it as the last entry appended: it was changed or replaced
ops-audit-log-beyond-head = the head file says the last entry is seq { $seq }, but the log goes on to seq { $max }: an append was interrupted before it finished, or entries were added by other means
ops-audit-out-of-place-first = entry seq { $seq } (line { $line }) is out of place: it is the first entry of the log
ops-audit-out-of-place = entry seq { $seq } (line { $line }) is out of place: it comes right after entry seq { $prev }
ops-audit-missing-one = entry seq { $seq } is missing from the log ({ $why })
ops-audit-missing-one-end = entry seq { $seq } is missing from the end of the log ({ $why })
ops-audit-missing-range = entries seq { $from } to seq { $to } are missing from the log ({ $why })
ops-audit-missing-range-end = entries seq { $from } to seq { $to } are missing from the end of the log ({ $why })
ops-audit-seq-overflow = the audit trail is damaged: its last sequence number is too large to continue
ops-audit-seq-overflow-advice = keep the audit files as evidence and report this; check the trail to see its problems
ops-audit-damaged = the audit trail is damaged: { $what }
ops-audit-damaged-advice = check the audit trail to see every problem in it, and keep the files as they are: they are evidence
ops-audit-line-unreadable = line { $line } is not a readable audit record ({ $why })
ops-audit-line-cut = line { $line } is incomplete: the log ends in the middle of an entry

## Signing keys, trust and who may restore
ops-internal-signing = signing the backup: { $err }
ops-internal-making-signing-key = making the signing key: { $err }
ops-internal-encoding-signing-key = encoding the signing key: { $err }
ops-internal-signing-key-vanished = the signing key vanished after it was made
ops-internal-making-facility-key = making the facility key: { $err }
ops-internal-encoding-facility-key = encoding the facility key: { $err }
ops-internal-reading-facility-key = reading the facility key: { $err }
ops-internal-certifying = certifying the device key: { $err }
ops-internal-signed-already = the backup is signed already
ops-device-key-damaged = this tablet's signing key file is damaged
ops-device-key-damaged-advice = a System Administrator can move it away: a new key is made on the next backup (tablets that trusted the old key must then trust the new one)
ops-facility-key-bad = this is not a facility key file made by `carevault trust facility-key`
ops-facility-key-bad-advice = give the secret key file the facility keeps offline
ops-trust-file-damaged = the list of trusted signing keys is damaged
ops-trust-file-damaged-advice = a System Administrator can move it away and add the keys again with `carevault trust add`
ops-trust-not-a-key = this is not a minisign public key
ops-trust-not-a-key-advice = give the key another tablet shows in `carevault trust list` (it starts with RW), or its .pub file
ops-trust-bad-name = the key's name must be 1 to { $max } characters of plain text
ops-trust-bad-name-advice = name the tablet the key belongs to, e.g. --name "tablet-04"
ops-trust-own-key = this is this tablet's own signing key, which is always trusted
ops-trust-own-key-advice = add the keys of the facility's other tablets
ops-trust-already = the key { $key } is trusted already
ops-trust-see-list = see `carevault trust list`
ops-trust-too-many = at most { $max } keys can be trusted
ops-trust-too-many-advice = remove keys of tablets no longer in use with `carevault trust remove`
ops-trust-no-such-key = no trusted key has the ID or name { $which }
ops-trust-ambiguous = several trusted keys are named { $which }
ops-trust-ambiguous-advice = give the key ID shown by `carevault trust list`
ops-trust-level-this-device = this device
ops-trust-level-trusted = trusted
ops-trust-level-not-trusted = not trusted
ops-trust-level-unsigned = unsigned
ops-needs-admin-upload = it was uploaded through the Backup Explorer
ops-needs-admin-unsigned = it is not signed (it was made by an older carevault)
ops-needs-admin-not-trusted = it was signed by a key this tablet does not trust (key ID { $key })
ops-needs-admin-shared-unencrypted = it is unencrypted and was found on shared storage, where anyone could have changed it
ops-restore-needs-login = this app home holds clinic data now, so a restore needs a login
ops-restore-needs-login-advice = log in with --user (a Clinical Manager, Clinic Nurse or System Administrator) and run it again
ops-restore-needs-admin = { $user } ({ $role }) may not restore this backup over the clinic data: { $why }
ops-restore-needs-admin-advice = ask a System Administrator to restore it (they are shown who the users and roles will be), or restore a backup signed by this tablet or a trusted one
ops-restore-needs-admin-first-run = this app home holds clinic data, so restoring this backup needs a System Administrator: { $why }
ops-restore-needs-admin-first-run-advice = log in with --user as a System Administrator

## Profile
ops-profile-unreadable = the profile cannot be read: { $err }
ops-profile-fix-advice = fix carevault.toml (see docs/PROFILE.md)
ops-profile-invalid = the profile has an invalid { $what }
ops-profile-invalid-work-factor = encryption.work_factor (allowed: 10 to 20)
ops-profile-invalid-max-work-factor = encryption.max_work_factor (allowed: 10 to 22)
ops-profile-invalid-language = ui.language (allowed: en, fr, or empty for the tablet's own)
ops-profile-invalid-compression = compression setting (level 1 to 19, workers 0 to 16)
ops-offsite-profile-bad = the profile's [offsite] section has { $what }
ops-offsite-profile-bad-advice = fix carevault.toml (see docs/PROFILE.md and docs/OFFSITE.md)
ops-offsite-profile-endpoint-scheme = an endpoint that is not an http:// or https:// URL
ops-offsite-profile-endpoint-plain = an endpoint that is not a plain URL (no user name, query or spaces)
ops-offsite-profile-endpoint-http = an http:// endpoint that is not on this machine (use https://)
ops-offsite-profile-bucket = an invalid bucket name (3 to 63 lowercase letters, digits, '-' and '.')
ops-offsite-profile-region = an invalid region
ops-offsite-profile-part-size = an invalid part_size_mib (allowed: 5 to 512)
ops-offsite-profile-prefix = an invalid prefix { $prefix }: use parts of letters, digits, '.', '_' and '-' each ending in '/', and only the placeholders {"{"}facility{"}"} and {"{"}device{"}"}
ops-offsite-prefix-unsafe-value = the offsite key prefix uses { $name }, but its value { $value } is not a safe part of an object key (letters, digits, '.', '_', '-', at most 64)
ops-offsite-prefix-unsafe-value-advice = set [offsite] prefix in carevault.toml to a fixed name for this tablet (see docs/OFFSITE.md)

## Automatic backups
ops-auto-secret-damaged = the device secret is damaged
ops-auto-secret-damaged-advice = move private/device-secret away; a new one is made on the next automatic backup
ops-auto-none-due = the newest automatic backup is { $age } h old (interval { $interval } h): none due
ops-auto-was-due = the newest automatic backup was { $age } h old (interval { $interval } h)
ops-auto-first = there was no automatic backup yet
ops-internal-listed-without-name = a listed backup without a file name

## Passphrase change, restore record, offsite state
ops-rekey-not-encrypted = this backup is not encrypted, so it has no passphrase to change
ops-rekey-not-encrypted-advice = make a new encrypted backup instead
ops-rekey-no-passphrase-slot = this backup has no passphrase slot
ops-rekey-no-passphrase-slot-advice = it can only be opened with its recovery key
ops-rekey-file-replaced = the backup file was replaced while its passphrase was being changed; nothing was changed
ops-rekey-file-replaced-advice = check who can write to that folder, then change the passphrase again
ops-internal-recording-restored = recording the restored backup: { $err }
ops-restored-from-damaged = the record of the restored backup is damaged ({ $err })
ops-restored-from-damaged-advice = remove the file; the next restore writes it again
ops-offsite-state-unreadable = the offsite state file cannot be read: { $err }
ops-offsite-state-unreadable-advice = move the file away; the next `carevault offsite push` checks the store and records again what it holds

## Backups
ops-backup-no-data = there is no clinic data to back up in this app home
ops-backup-no-data-advice = check --home (it must contain a data folder), or create a demo clinic with `carevault demo init`
ops-backup-skip-not-utf8 = { $path }: name is not valid UTF-8
ops-backup-skip-side-file = { $path }: its name makes it look like a database side file of { $base }
ops-backup-skip-unsafe-name = { $path }: name cannot be stored safely
ops-backup-skip-not-regular = { $path }: not a regular file (link or device)
ops-backup-bad-label = the label must be 1 to { $max } characters of plain text
ops-backup-bad-label-advice = choose a shorter label without line breaks
ops-backup-sync-running = a synchronization is in progress, so no backup was started
ops-backup-sync-running-after-wait = a synchronization is still in progress after the wait, so no backup was started
ops-backup-sync-running-advice = wait until System > Synchronization says Idle, then run the backup again (or use --wait-sync SECONDS)
ops-backup-recovery-needs-passphrase = recovery keys need a passphrase as well
ops-backup-recovery-needs-passphrase-advice = give a passphrase; the recovery key is the way back when it is forgotten
ops-internal-slot-not-made = the passphrase slot could not be made
ops-internal-slot-size = the passphrase slot is { $size } bytes, { $reserved } were reserved
ops-backup-head-unwritable = this backup cannot be written: { $what }; nothing was written
ops-backup-head-unwritable-advice = check the facility and device names in the app's settings and the recovery keys given
ops-backup-head-breaks-rules = its readable details break the format's rules ({ $problem })
ops-backup-slot-too-large = the key slot { $name } would be over { $max } bytes (too many recovery keys)
ops-busy = another backup, restore or delete is running on this app home
ops-busy-advice = wait for it to finish, then run the command again

## Finding a backup by ID, label or path
ops-find-no-file = the backup file does not exist
ops-find-no-file-advice = check the path, or name the backup by the ID or label `carevault list` shows
ops-find-id-conflict = { $n } files carry the backup ID { $id }, so none of them is used by ID: { $paths }
ops-find-id-conflict-advice = a System Administrator should remove the file that is not a backup of this tablet (`carevault list` shows who signed each), or give the file's path
ops-find-none = no backup with ID or label { $what } was found
ops-find-none-advice = run `carevault list` to see the backups and their IDs
ops-find-many = { $n } backups match { $what }
ops-find-many-advice = give the full ID shown by `carevault list`
ops-internal-path-without-name = a backup path without a folder or file name

## Safety copies
ops-safety-no-such-copy = there is no safety copy named { $name }
ops-safety-no-such-copy-advice = run `carevault safety-copies list` to see their names
ops-safety-sync-running = a synchronization is in progress, so the safety copy was not put back
ops-safety-sync-running-advice = wait until System > Synchronization says Idle, then try again
ops-safety-db-fails-check = the safety copy's database { $path } fails its check; nothing was changed
ops-safety-db-fails-check-advice = keep this safety copy for investigation and restore a backup instead
ops-internal-safety-copy-vanished = the safety copy vanished

## Status: the weekly reminder
ops-reminder-what-to-do = make one on Public (Documents) or External (SD card, USB stick) storage, or copy one offsite, now: the guide asks for one at least once a week
ops-reminder-stale = the newest backup outside the app's private storage is { $days } days old (offsite copies count too): { $todo }
ops-reminder-private-only = every backup is on the app's private storage, which "Clear Data", a reinstall or a lost tablet takes with it: { $todo }
ops-reminder-none = there is no backup yet: { $todo }
ops-check-name-integrity = integrity of { $path }
ops-check-name-table = { $label }
ops-check-name-realm = realm
ops-check-name-sync-endpoint = sync endpoint
ops-audit-head-bad-hash = its hash is not 64 hex digits
ops-audit-line-empty = the line is empty
ops-audit-parser-says = { $err }

# Faults inside carevault (reported with core-internal-advice).
ops-journal-write-failed = writing the restore journal: { $error }
ops-password-hash-failed = argon2 could not hash a password: { $error }
