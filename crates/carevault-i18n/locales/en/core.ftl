# carevault: core messages (en).

## error.rs: the shorthands every part uses.
core-io-disk-full = the disk is full while { $what }
core-io-disk-full-advice = free space on that storage (delete old files or safety copies) and run the command again
core-io-permission = permission denied while { $what }
core-io-permission-advice = check that this folder is writable by the user running carevault and is not mounted read-only
core-io-failed = the system could not complete { $what }: { $err }
core-io-failed-advice = check that the storage is present and healthy, then run the command again
core-internal-advice = this is a fault in carevault; keep the backup file and report the message
core-corrupted = the backup file is damaged: { $what }
core-corrupted-advice = this copy cannot be trusted; use another copy of the backup (for example the one on external media)
core-truncated = the backup file is incomplete: { $what }
core-truncated-advice = the file was cut short (interrupted copy or full storage); copy it again from its source or use another backup
core-unsafe-archive = the backup holds an entry that is refused: { $what }
core-unsafe-archive-advice = this file was not written by carevault or was altered; do not restore it, and report where it came from

## archive/keys.rs: key slots, recovery keys, age.
core-key-slot-invalid = the key slot does not hold a valid backup key
core-recipient-invalid = { $key } is not a valid recovery public key: { $err }
core-recipient-invalid-advice = pass the public key printed by `carevault keygen` (it starts with age1)
core-identity-file-invalid = the recovery key file holds no valid secret key
core-identity-file-invalid-advice = pass the file written by `carevault keygen` (it holds a line starting with AGE-SECRET-KEY-1)
core-age-encrypt-failed = age could not encrypt: { $err }
core-sealed-auth-failed = an encrypted part fails authentication ({ $err })
core-sealed-too-large = an encrypted part is larger than allowed
core-no-passphrase-slot = this backup has no passphrase slot
core-advice-recovery-key-only = unlock it with the recovery key it was made for (--identity FILE)
core-no-recovery-slot = this backup was not made with any recovery key
core-no-recovery-slot-advice = unlock it with its passphrase
core-advice-wrong-passphrase-only = check the passphrase (capital letters, spaces); this backup was made without a recovery key, so only its passphrase opens it
core-key-slot-not-text = the key slot does not hold text
core-wrong-key = the passphrase or recovery key does not unlock this backup
core-advice-wrong-passphrase = check the passphrase (capital letters, spaces) or use the facility's recovery key with --identity FILE
core-work-factor-too-high = the backup asks for passphrase work factor { $required }, above the limit this device accepts
core-work-factor-too-high-advice = this file was not written by carevault's defaults; open it on a computer with `age -d` if you trust its origin
core-age-header-mac = an encryption header fails its authentication check
core-age-header-invalid = an encryption header cannot be read
core-age-unknown-format = an encrypted part uses an age format version this carevault does not know
core-update-carevault-advice = update carevault to a newer version
core-age-read-failed = an encrypted part cannot be read ({ $err })
core-age-open-failed = an encrypted part cannot be opened ({ $err })

## archive/reader.rs: reading a backup file back.
core-doing-reading-backup = reading the backup file
core-doing-reading-the-backup = reading the backup
core-doing-opening-backup = opening the backup file
core-doing-reading-backup-size = reading the backup file's size
core-age-header-too-long = an encryption header is longer than carevault writes
core-ends-inside-header = it ends at byte { $file_len }, inside a header at byte { $at }
core-file-empty = the file is empty
core-file-too-short = it is only { $file_len } bytes long
core-end-marker-damaged = the end-of-archive marker is damaged
core-too-many-parts = the container has more parts than carevault writes
core-part-beyond-end = it is { $file_len } bytes long, but its part { $part } runs to byte { $end }
core-bytes-after-end = { $count } unexpected bytes follow the end of the backup
core-missing-parts = the container is missing parts
core-parts-out-of-order = the container parts are not in carevault's order
core-part-too-large = a container part is larger than allowed
core-padding-damaged = the padding after a part of the container is damaged
core-backup-not-found = the backup file does not exist
core-backup-not-found-advice = check the file name, or run `carevault list` to see the backups
core-details-payload-mismatch = the readable details do not match the payload stored in the file
core-tampered-advice = use another copy of the backup; this one was altered after it was written
core-slots-mismatch = the key slots do not match the readable details
core-slot-damaged = the key slot { $name } is damaged
core-need-key = this backup is encrypted and no passphrase or recovery key was given
core-advice-need-key = give the passphrase (prompt, --passphrase-file or CAREVAULT_PASSPHRASE) or a recovery key (--identity FILE)
core-payload-sum-too-large = the payload checksum entry is too large
core-payload-sum-mismatch = the payload does not match its stored checksum
core-pax-too-large = an extended header is larger than allowed
core-entry-name-too-long = an entry name is too long
core-entry-name-not-utf8 = an entry name is not valid UTF-8 text
core-entry-not-regular = { $name } is a { $kind } entry, only regular files are accepted
core-entry-twice = { $name } appears twice
core-sealed-copy-differs = the sealed { $name } differs from the copy outside the payload
core-entry-not-listed = { $name } is not listed in the manifest
core-entry-size-mismatch = { $name } claims { $size } bytes, the manifest says { $listed }
core-entry-sum-mismatch = { $name } does not match its checksum
core-no-sealed-manifest = the payload ends without its sealed manifest
core-entry-missing = { $name } is listed in the manifest but missing
core-data-after-payload = unexpected data follows the end of the payload
core-part-header-damaged = an encrypted part's header is damaged (the passphrase was right)
core-pax-unreadable = an extended header cannot be read
core-pax-changes-entry = an extended header changes an entry's size or kind, which carevault does not accept
core-payload-ends-early = the payload ends before its last part
core-payload-fails-checks = the payload fails its checks ({ $err })

## archive/writer.rs: writing a backup file.
core-doing-writing-backup = writing the backup file
core-write-failed = writing the backup failed: { $err }
core-write-failed-advice = check the destination storage and the data folder, then run the backup again
core-head-length-changed = the container head would change length ({ $before } to { $after } bytes)
core-doing-opening-file-to-back-up = opening a file to back it up
core-file-shrank = a file shrank while it was being backed up
core-file-shrank-advice = run the backup again when the app is not rewriting that file
core-entry-length-differs = { $name } was { $count } bytes long, { $announced } were announced
core-db-path-unstorable = the database path { $path } cannot be stored: { $err }
core-db-path-unstorable-advice = rename the database to a plain relative name

core-db-check-stopped = the backup's database check stopped unexpectedly

## format/container.rs: the outer tar container.
core-tar-name-failed = tar name { $name }: { $err }
core-tar-owner-failed = tar owner of { $name }: { $err }
core-header-checksum = a container header fails its checksum
core-container-not-regular = the container holds an entry that is not a regular file
core-container-name-foreign = a container entry name is not one carevault writes
core-container-name-not-text = a container entry name is not valid text
core-container-size-unreadable = a container entry has an unreadable size
core-not-a-backup = this file is not a carevault backup
core-not-a-backup-advice = choose a .bin file written by carevault

## format/manifest.rs: the list of contents.
core-manifest-unreadable = the manifest inside the backup cannot be read
core-manifest-too-many-entries = the manifest lists { $count } entries (at most { $max } are accepted)
core-manifest-file-and-folder = { $path } is listed both as a file and as a folder
core-manifest-side-file = { $path } would be the SQLite side file of { $base }, which a restore must not put beside it
core-manifest-twice = the manifest lists { $path } twice
core-manifest-rows-exceed-size = the manifest claims { $rows } rows in { $size } bytes of { $path }
core-manifest-bad-checksum = the manifest has an invalid checksum for { $path } (not 64 hexadecimal digits)
core-manifest-too-much-data = the manifest claims { $size } bytes of data (at most { $max } are accepted)
core-data-unstorable = this data cannot be stored in one backup: { $what }; nothing was written
core-data-unstorable-advice = split the data folder or remove what is not clinic data, then run the backup again
core-data-too-many-files = { $count } files (at most { $max })
core-data-too-many-bytes = { $size } bytes (at most { $max })
core-data-list-too-long = a list of contents over { $max } bytes
core-path-refused = { $path }: { $why }
core-path-too-long = path too long
core-path-outside-data = outside the data folder
core-path-control-char = control character or backslash in the name
core-path-dot-component = empty, '.' or '..' path component
core-path-component-too-long = a name longer than 255 bytes
core-sealed-mismatch = the readable details of the backup (label, date, creator...) do not match the sealed copy inside it
core-sealed-mismatch-advice = the file was edited after it was written; trust the sealed details shown by `carevault show` and keep a note of this copy's origin

## format/metadata.rs: the readable details.
core-details-too-large = the readable details are too large
core-details-version-mismatch = the readable details of the backup are damaged: their format version does not match the file's
core-details-invalid = the readable details of the backup are invalid: { $what }
core-field-backup-id = backup ID
core-field-label = label
core-field-timestamp = timestamp
core-field-payload-name = payload name
core-field-key-slots = key slots
core-field-key-slot = key slot
core-field-recovery-without-slot = recovery keys without a recovery slot
core-details-damaged = the readable details of the backup are damaged or were edited
core-newer-version = this backup uses format version { $version }, and this carevault reads versions up to { $newest }
core-newer-version-advice = update carevault to a newer version to open this backup

## format/origin.rs: the signed origin record.
core-origin-too-large = the backup's origin record is too large
core-origin-damaged = the backup's origin record is damaged
core-newer-minor = this backup uses format version 1.{ $minor }, and this carevault reads versions up to 1.{ $newest }
core-origin-mismatch = the backup's signed origin does not match: { $what }
core-origin-mismatch-advice = use another copy of the backup; this one was altered after it was signed

## store/: folders and other stores of backup files, downloads.
core-doing-reading-download-size = reading the download's size
core-download-no-space = not enough free space for the download: need { $need }, have { $have }
core-download-no-space-advice = free space there or download to other storage
core-partial-larger = the partial download is larger ({ $have } bytes) than the object ({ $size } bytes)
core-partial-larger-advice = remove the partial download and run the command again
core-stored-object-ended = the stored object { $name } ended at { $have } of { $size } bytes
core-doing-writing-download = writing the download
core-doing-syncing-download = syncing the download
core-doing-opening-download = opening the download
core-doing-reading-download-details = reading the download's details
core-partial-name-taken = the partial download's name is taken by something that is not a file of this download (a link, a device, or a file of another user)
core-partial-name-taken-advice = remove that file from the folder and run the command again
core-doing-making-download-private = making the download private
core-store-name-invalid = { $name } is not a name a backup may be stored under
core-store-name-invalid-advice = use the backup's file name as `carevault list` shows it
core-store-not-found = { $store } holds no backup named { $name }
core-store-not-found-advice = run `carevault list` (or `carevault offsite list`) to see what is there
core-store-exists = { $store } already holds a backup named { $name }; it was left as it is
core-store-exists-advice = nothing is ever overwritten: if the stored one is a different file, find out where it came from before removing it

core-store-subfolder = { $name } names a file in a sub-folder; a folder store holds only its own files
core-store-subfolder-advice = give the backup's file name
core-doing-listing-folder = listing a backup folder
core-doing-opening-a-backup = opening a backup
core-doing-reading-a-backup = reading a backup
core-doing-opening-backup-to-copy = opening the backup to copy
core-store-no-space = { $store } has not enough free space for the backup ({ $need } needed)
core-store-no-space-advice = free space there or choose other storage
core-doing-reading-backup-to-copy = reading the backup to copy
core-doing-writing-copy = writing the copy
core-doing-deleting-backup = deleting the backup

## fsutil.rs: private folders, temporary files, final names.
core-doing-creating-private-folder = creating a private folder
core-doing-inspecting-folder = inspecting a folder
core-private-folder-not-folder = a private folder of carevault is not a real folder (it is a link or a file)
core-private-folder-not-folder-advice = remove it; carevault creates the folder itself on the next run
core-doing-making-folder-private = making a folder private
core-doing-writing-own-file = writing a file of carevault
core-doing-creating-own-file = creating a file of carevault
core-doing-opening-folder-to-flush = opening a folder to flush it
core-doing-flushing-folder = flushing a folder to storage
core-doing-creating-temp-file = creating a temporary file
core-doing-locking-temp-file = locking a temporary file
core-backup-name-taken = a file with the backup's name already exists
core-backup-name-taken-advice = run the command again: a new backup gets a new name
core-doing-flushing-file = flushing the file to storage
core-file-name-taken = a file of that name already exists; it was left as it is
core-file-name-taken-advice = nothing is ever overwritten: find out where the existing file came from
core-doing-naming-file = giving the file its final name
core-doing-flushing-backup = flushing the backup file to storage
core-doing-naming-backup = giving the backup its final name
core-doing-measuring-free-space = measuring free space

## snapshot.rs: consistent snapshots of the databases.
core-sql-failed = could not read the database while { $what }: { $err }
core-sql-failed-advice = check that the database file is readable and not damaged (run the app's own checks), then try again
core-sql-doing-opening = opening it
core-sql-doing-configuring = configuring it
core-doing-taking-write-barrier = taking the write barrier
core-sql-doing-starting-snapshot = starting the snapshot
core-sql-doing-pinning-snapshot = pinning the snapshot
core-sql-doing-reading-page-size = reading its page size
core-sql-doing-reading-size = reading its size
core-sql-doing-reading-journal-mode = reading its journal mode
core-sql-doing-counting-rows = counting rows
core-sql-doing-reading-dbpage = reading its pages (sqlite_dbpage)
core-sql-doing-reading-pages = reading its pages
core-page-out-of-order = page { $page } of { $name } came out of order or with a wrong size
core-page-count-differs = { $name } yielded { $got } pages, the snapshot has { $want }
core-doing-creating-scratch = creating the snapshot scratch folder
core-sql-doing-copying-snapshot = copying its snapshot
core-doing-reading-snapshot-copy = reading the snapshot copy
core-snapshot-copy-size = the snapshot copy of { $name } has { $len } bytes, expected { $want }

## verify.rs: reading a new backup back before keeping it.
core-readback-details-differ = the readable details read back differ from those written
core-readback-slot-not-scrypt = the passphrase slot read back is not a passphrase-encrypted file
core-readback-failed = the backup was written, but reading it back failed its checks ({ $reason }); it was not kept
core-readback-failed-advice = run the backup again; if it fails again, check the storage (a failing SD card or USB stick) and report the message

## layout.rs: the app's home folder.
core-home-advice = give the app's home folder with --home DIR (or CAREVAULT_HOME): the folder that holds data/, private/ and carevault.toml
core-home-is-file = the app home is a file, not a folder
core-home-missing = the app home does not exist
core-doing-opening-home = opening the app home
core-home-no-users = the app home has no users yet (there is no data/users.db), so nobody can log in to it
core-home-no-users-advice = check --home; on a fresh install, restore a backup (no login is needed for the first restore) or add the first user with `carevault users add`

core-doing-checking-sync-lock = checking the sync lock

## appconfig.rs: the app's own settings file.
core-doing-reading-app-settings = reading the app settings
core-app-settings-invalid = the app settings file cannot be read: { $err }
core-app-settings-invalid-advice = fix the file (it is TOML with realm, sync_endpoint, facility, device_name)

## media.rs: where backups go (Private, Public, External).
core-media-fallback-note = No SD card or USB drive is attached: saved to the Documents folder as the guide describes.
core-media-profile-advice = fix the [media] section of carevault.toml (see docs/PROFILE.md)
core-medium-private-storage = Private storage
core-medium-public-storage = Public storage (the Documents folder)
core-medium-external-storage = External storage (SD card or USB drive)
core-medium-unknown = '{ $name }' is not a storage medium
core-medium-unknown-advice = choose private, public or external (or give a folder path)
core-media-empty-public = the profile names an empty Public folder (media.public)
core-media-empty-pattern = the profile has an empty pattern in media.external_roots
core-place-private = Private
core-place-documents = Documents
core-place-downloads = Downloads
core-place-removable = USB drive or SD card
core-found-in-private = this tablet's private storage
core-found-in-place = { $place } ({ $dir })
core-found-in-folder = { $dir }
core-media-fallback-refused = The SD card or USB drive at { $mounts } cannot be written to (it may be locked, read-only or full): saved to the Documents folder instead.
core-policy-advice-none = give a passphrase (facility policy requires encryption on every medium)
core-policy-advice-one = give a passphrase, or choose { $medium }
core-policy-advice-many = give a passphrase, or choose { $media } or { $last }
core-policy-needs-encryption = backups on { $medium } must be encrypted (facility policy)
core-media-external-at = SD card or USB drive at { $mount }
core-media-external-at-also = SD card or USB drive at { $mount }; also attached, not used: { $rest }
core-media-none-attached = No SD card or USB drive is attached: External backups go to the Documents folder.
core-media-external-unusable = The SD card or USB drive at { $mounts } cannot be used: External backups go to the Documents folder.
core-folder-not-writable = this folder cannot be written to
core-folder-blocked = something that is not a folder is in the way
core-folder-will-be-created = the folder will be created by the first backup
core-folder-cannot-be-created = the folder does not exist and cannot be created in { $parent }
core-folder-missing = the folder does not exist
core-mount-not-folder = not a folder
core-mount-unreadable = cannot be read
core-mount-backups-not-folder = its carevault-backups is not a folder
core-mount-not-writable = cannot be written to

## passphrase.rs: the rule for a new passphrase. The estimator's feedback
## (core-pass-warn-*, core-pass-tip-*) is its own English text, as shown before.
core-pass-rule = at least { $min } characters and not easy to guess (a few unrelated words work well)
core-pass-too-short = the new passphrase is too short: { $chars } { $chars ->
        [one] character
       *[other] characters
    }, at least { $min } are needed
core-pass-too-short-advice = choose a passphrase of { $rule }
core-pass-too-easy = the new passphrase is too easy to guess
core-pass-too-easy-because = the new passphrase is too easy to guess: { $warning }
core-pass-too-easy-advice = choose another passphrase: { $suggestions }
core-pass-suggestion-list = { $head }; { $next }
core-pass-add-a-word = add another word or two
core-pass-warn-straight-rows = straight rows of keys are easy to guess
core-pass-warn-short-keyboard = short keyboard patterns are easy to guess
core-pass-warn-repeats-aaa = repeats like "aaa" are easy to guess
core-pass-warn-repeats-abcabc = repeats like "abcabcabc" are only slightly harder to guess than "abc"
core-pass-warn-top10 = this is a top-10 common password
core-pass-warn-top100 = this is a top-100 common password
core-pass-warn-common = this is a very common password
core-pass-warn-similar-common = this is similar to a commonly used password
core-pass-warn-sequences = sequences like abc or 6543 are easy to guess
core-pass-warn-recent-years = recent years are easy to guess
core-pass-warn-single-word = a word by itself is easy to guess
core-pass-warn-dates = dates are often easy to guess
core-pass-warn-names = names and surnames by themselves are easy to guess
core-pass-warn-common-names = common names and surnames are easy to guess
core-pass-tip-few-words = use a few words, avoid common phrases
core-pass-tip-no-symbols = no need for symbols, digits, or uppercase letters
core-pass-tip-another-word = add another word or two. Uncommon words are better
core-pass-tip-capitals = capitalization doesn't help very much
core-pass-tip-all-uppercase = all-uppercase is almost as easy to guess as all-lowercase
core-pass-tip-reversed = reversed words aren't much harder to guess
core-pass-tip-substitutions = predictable substitutions like '@' instead of 'a' don't help very much
core-pass-tip-keyboard-turns = use a longer keyboard pattern with more turns
core-pass-tip-repeats = avoid repeated words and characters
core-pass-tip-sequences = avoid sequences
core-pass-tip-recent-years = avoid recent years
core-pass-tip-your-years = avoid years that are associated with you
core-pass-tip-your-dates = avoid dates and years that are associated with you

## clinic_app.rs: how reports name the guide app's tables.
core-table-patients = patients
core-table-visits = visits
core-table-immunizations = immunizations
core-table-outbox = outbox
core-table-sync-log = sync log
core-table-other = { $label }

## usb_copy.rs: Copy to USB.
core-usb-none-attached = no USB drive or SD card is attached, so nothing was copied
core-usb-none-attached-advice = attach a USB drive or SD card (writable), then try Copy to USB again
core-usb-not-a-backup-file = this is not a backup file
core-usb-not-a-backup-file-advice = choose a backup
core-doing-creating-medium-folder = creating the backup folder on the medium
core-usb-copy-differs = the copy on the USB drive reads back different from the backup, so it was removed
core-usb-copy-differs-advice = the medium may be failing: try another USB drive or SD card
core-doing-reading-copy-back = reading the copy back

## Low-level errors of carevault's own, inside an io::Error (error::io_error).
core-io-not-regular-file = not a regular file
core-io-file-too-large = the file is larger than carevault writes
core-io-source-ended = the source ended before its stated size
core-io-reader-stopped = the payload reader stopped unexpectedly
core-io-stream-abandoned = the stream was abandoned before its end
core-io-writer-stopped = the writing thread stopped
core-io-writer-failed = the backup writer thread failed

core-memory-store = the in-memory store

core-no-outbox-table = it has no outbox table
