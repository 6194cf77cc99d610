# carevault: web messages (en).

## Errors every route may answer
web-not-logged-in = you are not logged in, or your session expired
web-not-logged-in-advice = log in again
web-internal-advice = this is a fault in carevault; report the message
web-task-failed = a server task failed: { $error }
web-timed-out = the server did not answer within { $seconds } seconds
web-timed-out-advice = try again; if a verification or restore is running, wait until it ends
web-no-route = there is no such page or API route
web-no-route-advice = see docs/API.md

## The web's own ways to give a key, in place of the command line's
web-recovery-path = choose "Use the recovery key instead" and paste the facility's recovery key or choose its key file
web-advice-need-key = type the passphrase, or { web-recovery-path }
web-advice-recovery-key-only = unlock it with the recovery key it was made for or { web-recovery-path }
web-advice-wrong-passphrase = check the passphrase (capital letters, spaces) or { web-recovery-path }
web-advice-passphrase-only = check the passphrase (capital letters and spaces count): it is the one given when this backup was made (this backup has no recovery key slot)

## Keys in a request
web-not-a-recovery-key = this is not a recovery key: no valid line starting with AGE-SECRET-KEY-1 was found
web-not-a-recovery-key-advice = paste the whole secret line of the facility's recovery key, or choose the key file it was saved in
web-two-keys = both a passphrase and a recovery key were given
web-two-keys-advice = use one of them: the passphrase, or the facility's recovery key
web-key-needed = this backup is encrypted: its passphrase or a recovery key is needed
web-key-needed-advice = type the passphrase that was given when the backup was made, or use the facility's recovery key
web-restore-report-failed = the restore report: { $error }
web-too-many-passphrases = too many wrong passphrases or recovery keys were tried on this backup
web-too-many-passphrases-advice = try again { $when }: the wait grows with each wrong passphrase
web-when-seconds = in { $seconds } { $seconds ->
    [one] second
   *[other] seconds
}
web-when-minutes = in { $minutes } minutes

## Logins
web-login-throttled-user = too many login attempts for the user { $user }
web-login-throttled-device = too many failed logins from this device
web-login-throttled-server = too many failed logins on this server
web-login-throttled-advice = try again { $when }: the wait grows with each wrong password and ends by itself
web-shutting-down = the server is shutting down

## Jobs
web-no-job = there is no such job
web-no-job-advice = start the operation again
web-abandoned = the request ended while it waited for its turn
web-abandoned-advice = try again when the verification or restore that runs has ended

## Finding backups
web-no-backup = there is no backup with this ID
web-no-backup-advice = reload the Backup Explorer to see the backups there are now
web-id-conflict = { $count } files carry this backup ID, so none of them is used: { $files }
web-id-conflict-advice = a System Administrator should remove the file that is not a backup of this tablet (the listing shows who signed each)
web-found-in-upload = an uploaded file
web-one-at-a-time = you already have a verification, restore or contents reading running
web-one-at-a-time-advice = wait until it ends, then start the next one (one at a time keeps the tablet's memory free)
web-job-fault = the job stopped on a fault

## Request bodies
web-body-too-large = the request body is too large
web-body-too-large-advice = send a smaller JSON object
web-field-missing = the field `{ $field }` is missing
web-field-wrong = the field `{ $field }` has the wrong type or value
web-not-json = the request body is not valid JSON
web-bad-json-advice = send the JSON object that docs/API.md describes

## Host and Origin checks
web-bad-host = this server answers only to its own address (an IP address or localhost)
web-bad-host-advice = open the Backup Explorer at the address `carevault serve` printed
web-bad-origin = the request did not come from the Backup Explorer page (Origin check)
web-bad-origin-advice = use the Backup Explorer page served by `carevault serve`

## Uploads
web-upload-lost = an upload lost its place
web-quota-session = this session's uploads
web-quota-server = all uploads on this server
web-upload-too-large = the file is larger than this server accepts ({ $max })
web-upload-too-large-advice = copy the backup onto the tablet's Documents folder or an SD card instead, or start the server with a larger --max-upload
web-over-quota = this upload would take { $whose } past the { $quota } they may hold
web-over-quota-advice = restore or leave the earlier uploads first (they are removed an hour after they arrived, or when you log out), or copy the backup onto Documents or an SD card
web-upload-cut = the upload was interrupted before the whole file arrived, or it stalled
web-upload-cut-advice = send the file again

## Backups
web-encrypt-needs-passphrase = an encrypted backup needs a passphrase
web-encrypt-needs-passphrase-advice = type a strong passphrase, and record it as your facility's data policy says
web-passphrase-not-encrypted = a passphrase was given for a backup that is not to be encrypted
web-passphrase-not-encrypted-advice = tick "Encrypt this backup", or leave the passphrase empty
web-sync-running-backup = a synchronization is in progress, so no backup was started
web-sync-running-backup-advice = wait until System > Synchronization says Idle, then make the backup again
# same in French (the cause is the serializer's own text, for a report of the fault)
web-report-failed = { $error }
web-upload-restore-admin-only = an uploaded file can be restored over this tablet's clinic data only by a System Administrator
web-upload-restore-admin-only-advice = ask a System Administrator to restore it, or restore a backup from this tablet's own media

## Copy to USB, change of passphrase
web-usb-upload = an uploaded file is not copied to USB (uploads are removed after an hour)
web-usb-upload-advice = copy a backup saved on this tablet's media
web-no-new-passphrase = no new passphrase was given
web-no-new-passphrase-advice = type the new passphrase twice
web-rekey-upload = the passphrase of an uploaded file is not changed (uploads are removed after an hour)
web-rekey-upload-advice = change it on a backup saved on this tablet's media
web-rekey-automatic = automatic backups open with this tablet's device key: they have no passphrase of yours to change
web-rekey-automatic-advice = make a backup with "Backup Now" to choose its passphrase
web-rekey-unencrypted = this backup is not encrypted, so it has no passphrase to change
web-rekey-unencrypted-advice = make a new encrypted backup instead

## Offsite copies
web-offsite-not-configured = offsite copies are not configured on this tablet
web-offsite-not-configured-advice = add an [offsite] section to carevault.toml (see docs/OFFSITE.md)
web-sync-running-offsite = a synchronization is in progress, so the offsite copy was not started
web-sync-running-offsite-advice = wait until System > Synchronization says Idle, then copy offsite again
web-offsite-running = a copy offsite is running already
web-offsite-running-advice = wait until it ends; it copies every pending backup

## Synchronization
web-sync-db-unreadable = the sync database cannot be read: { $error }

## First run
web-not-first-run = this app home already holds clinic data
web-not-first-run-advice = log in; a restore needs a Clinical Manager, Clinic Nurse or System Administrator now
web-not-first-run-offsite-advice = log in; offsite copies are in the Backup Explorer
web-not-a-candidate = that file is not one of the backups found on the Public or External media
web-not-a-candidate-advice = choose one of the listed backups, or upload the file
web-no-upload = there is no upload with this ID (uploads are removed after an hour)
web-no-upload-advice = upload the file again
web-path-or-upload = give either `path` or `upload_id`
web-path-or-upload-advice = choose a listed backup or upload one
web-offsite-prefix-template = the prefix must be the lost tablet's own, without {"{"}facility{"}"} or {"{"}device{"}"}
web-offsite-prefix-template-advice = enter it as the bucket shows it, e.g. tablets/kibera-hc/3f2a9c0d1e4b5a67/
web-offsite-keys-needed = both the access key and the secret key are needed
web-offsite-keys-needed-advice = enter the read key the bucket's administrator gave you
web-no-public-folder = the Public folder (Documents) is not configured

## SanteDB imports
web-import-no-new-passphrase = no passphrase was given for the new carevault backup
web-import-no-new-passphrase-advice = type a new passphrase twice: the imported data is kept encrypted with it
web-no-santedb-upload = there is no SanteDB upload with this ID (uploads are removed after an hour)
web-no-santedb-upload-advice = upload the SanteDB .bin file again
web-santedb-passphrase-needed = this SanteDB backup is encrypted and no SanteDB passphrase was given
web-santedb-passphrase-needed-advice = type the passphrase that was set for backups in the SanteDB app
web-santedb-wrong-key-advice = check the SanteDB passphrase (capital letters and spaces count): it is the one set for backups in the SanteDB app, not a carevault passphrase
web-santedb-truncated-advice = the file is incomplete (a copy that stopped early): copy the .bin file from the SanteDB device again, whole, and upload it again
web-santedb-damaged-advice = the file is damaged: copy it from the SanteDB device again, or use another of its backups
web-santedb-not-a-backup-advice = choose the .bin file that the SanteDB app's Backup wrote, or a carevault backup to restore it
web-santedb-check-failed-advice = the SanteDB backup does not hold its data whole: make a new backup on the SanteDB device and import that
web-import-no-backup = the import wrote no backup
web-import-admin-only = importing a SanteDB backup over this tablet's clinic data needs a System Administrator
web-import-admin-only-advice = ask a System Administrator to import and restore it

## What the server was doing when the system refused (the `what` of core-io-*).
web-doing-saving-upload = saving the upload
web-doing-keeping-upload = keeping the upload
web-fleet-token-needed = this fleet page asks for its access token, and the request had none or another one
web-fleet-token-needed-advice = enter the token from the file given to carevault fleet serve with --token-file
