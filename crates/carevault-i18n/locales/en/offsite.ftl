# carevault: offsite messages (en).

## The store's answers.
offsite-location = the offsite store { $endpoint } (bucket { $bucket })
offsite-no-bucket = { $location }: the bucket does not exist
offsite-no-bucket-advice = check [offsite] endpoint and bucket in carevault.toml, or ask the bucket's administrator to create it (docs/OFFSITE.md)
offsite-key-refused = { $location } does not accept this tablet's offsite key ({ $detail })
offsite-key-refused-advice = check private/offsite-credentials (access key, then secret key) against what the bucket's administrator issued
offsite-request-refused = { $location } refused { $what } of { $key } ({ $detail })
offsite-request-refused-advice = check the tablet's offsite key and the bucket policy (docs/OFFSITE.md): the key may put objects under this tablet's prefix only
offsite-no-object = { $location } has no { $key } ({ $detail })
offsite-no-object-advice = check the bucket and prefix in carevault.toml, or run `carevault offsite list`
offsite-already-holds = { $location } already holds { $key }; it was left as it is
offsite-already-holds-advice = nothing is ever overwritten: if the stored object is a different file, find out where it came from before anyone removes it
offsite-answered = { $location } answered { $what } of { $key } with { $detail }
offsite-answered-advice = nothing was marked offsite; run the command again later (uploads resume where they stopped)
offsite-unreachable = { $location } could not be reached for { $what } of { $key }: { $error }
offsite-unreachable-advice = nothing was marked offsite; check the network and run the command again (uploads resume where they stopped)
offsite-endpoint-not-url = the offsite endpoint is not a URL: { $error }
offsite-endpoint-not-url-advice = fix [offsite] endpoint in carevault.toml
offsite-bucket-not-url = the offsite endpoint and bucket do not make a URL: { $error }
offsite-bucket-not-url-advice = fix [offsite] endpoint and bucket in carevault.toml
offsite-doing-opening-upload = opening the backup to upload
offsite-doing-reading-upload = reading the backup to upload
offsite-request-not-built = a request could not be built: { $error }
offsite-bad-digest = { $location } refused { $what } of { $key }: the data arrived damaged (BadDigest) on every try
offsite-bad-digest-advice = nothing was marked offsite; check the network path (a proxy or link that alters data) and run the command again
offsite-kept-refusing = { $location } kept refusing { $what } of { $key } ({ $detail })
offsite-kept-refusing-advice = nothing was marked offsite; check the tablet's clock and the network, then run the command again
offsite-never-tried = a request was never tried

## What a request was doing ("{ $location } refused WHAT of KEY").
offsite-what-upload = an upload
offsite-what-starting-upload = starting an upload
offsite-what-listing-parts = listing the parts
offsite-what-uploading-part = uploading a part
offsite-what-finishing-upload = finishing an upload
offsite-what-abandoning-upload = abandoning an upload
offsite-what-reading-details = reading the details
offsite-what-reading = reading
offsite-what-listing = listing
offsite-what-listing-uploads = listing the incomplete uploads
offsite-what-reading-setting = reading the setting
offsite-what-download = a download
offsite-what-deleting = deleting

## Uploads.
offsite-damaged-kept = { $location } refused the upload of { $key } as damaged in transit (BadDigest) but kept the damaged data under that name; nothing was marked offsite
offsite-damaged-object-advice = check the network path (a proxy or link that alters data); then ask the bucket's administrator to remove that object (this tablet's key may not delete) and push again
offsite-changed-during-upload = the backup file changed while it was being uploaded
offsite-changed-during-upload-advice = run the push again; a backup file must not change after it is written
offsite-not-listed-after = { $location } does not list { $key } after the upload
offsite-run-again-advice = nothing was marked offsite; run the command again
offsite-holds-other = { $location } holds { $key } with { $size } bytes and ETag { $etag }, not this backup ({ $our_size } bytes, ETag { $our_etag }); it was left as it is
offsite-holds-other-advice = nothing is ever overwritten: find out where the stored object came from before anyone removes it
offsite-stored-wrong-md5 = { $location } stored { $key } with ETag { $got }, not the MD5 of the data sent ({ $want }): the data was damaged on the way; nothing was marked offsite
offsite-doing-reading-size = reading the backup's size
offsite-too-many-parts = the backup is too large for { $parts } parts of { $part_size } bytes
offsite-too-many-parts-advice = raise [offsite] part_size_mib in carevault.toml
offsite-kept-losing = { $location } kept losing the upload of { $key }
offsite-kept-losing-advice = nothing was marked offsite; run the command again later
offsite-no-upload-id = { $location } started an upload of { $key } without an upload ID
offsite-part-wrong-md5 = { $location } stored part { $part } of { $key } with ETag { $etag }, not the MD5 of the data sent, three times: the data is damaged on the way; nothing was marked offsite
offsite-part-wrong-md5-advice = check the network path (a proxy or link that alters data), then run the command again
offsite-not-finished = { $location } could not finish the upload of { $key } ({ $code })
offsite-not-finished-advice = nothing was marked offsite; run the command again (the upload resumes)
offsite-finished-wrong-etag = { $location } finished { $key } with ETag { $got }, not the { $want } computed here

## Reading the store.
offsite-no-size = { $location } gave no size for { $key }
offsite-object-too-large = { $location } holds a { $key } larger than carevault writes
offsite-object-too-large-advice = the object was not written by carevault; ask the bucket's administrator
offsite-listing-unreadable = { $location } answered a listing that cannot be read: { $error }
offsite-listing-unreadable-advice = run the command again; if it persists the endpoint may not be an S3 service
offsite-listing-token-repeats = { $location } answered the listing of { $key } with the same continuation token twice; the listing was stopped, nothing of it is taken as complete
offsite-listing-no-new-key = { $location } answered the listing of { $key } with a page that goes on but holds no key after the earlier ones; the listing was stopped, nothing of it is taken as complete
offsite-listing-too-many-pages = the listing of { $key } at { $location } did not end within { $pages } pages; it was stopped, nothing of it is taken as complete
offsite-listing-broken-advice = the endpoint does not list as S3 does; check it is the store meant (a proxy in between may alter answers), then run the command again

## Settings and credentials.
offsite-doing-opening-lock = opening an upload's lock
offsite-doing-locking = locking an upload
offsite-push-busy = another push is uploading { $name } right now
offsite-push-busy-advice = wait for it to finish; then run the command again if it failed
offsite-credentials-advice = write the access key and secret key to private/offsite-credentials (two lines, mode 0600) or set CAREVAULT_S3_ACCESS_KEY and CAREVAULT_S3_SECRET_KEY (see docs/OFFSITE.md)
offsite-credentials-bad-line = a line of the offsite credentials file is not `key = value`
offsite-credentials-unknown-key = the offsite credentials file has an unknown key { $key } (allowed: access_key, secret_key)
offsite-credentials-incomplete = the offsite credentials file does not hold an access key and a secret key
offsite-credentials-not-a-file = the offsite credentials file is not a regular file
offsite-credentials-readable = the offsite credentials file may be read by other users; it was not used
offsite-credentials-readable-advice = make it readable by its owner only (chmod 600 private/offsite-credentials), and give the bucket's administrator a new key if others could have read it
offsite-doing-reading-credentials = reading the offsite credentials
offsite-credentials-not-text = the offsite credentials file is not text
offsite-credentials-none = no offsite credentials were found
offsite-not-configured = offsite copies are not configured on this tablet
offsite-not-configured-advice = add an [offsite] section to carevault.toml (see docs/OFFSITE.md)
offsite-device-not-in-prefix = --device was given, but the profile's offsite prefix has no {"{"}device{"}"} part
offsite-device-not-in-prefix-advice = leave out --device, or change [offsite] prefix in carevault.toml

## Pushing a backup.
offsite-push-checked = container, readable metadata, key slots, this tablet's signature
offsite-no-local-backup = there is no local backup with ID { $id }
offsite-no-local-backup-advice = run `carevault list` to see the backups and their IDs
offsite-doing-reading-backup = reading the backup
offsite-doing-opening-backup = opening the backup
offsite-backup-got-shorter = the backup got shorter while it was read
offsite-changed-while-copied = the backup file changed while it was copied offsite ({ $what }); nothing was marked offsite
offsite-changed-while-copied-advice = find out what writes to that folder, then run the command again
offsite-changed-id = it was listed as { $listed } and now reads as { $now }
offsite-not-this-tablet = { $file } was not signed by this tablet ({ $trust }), so it is not copied into this tablet's offsite folder
offsite-not-this-tablet-advice = copy offsite only this tablet's own backups; a backup from elsewhere belongs to the tablet that made it
offsite-changed-store-other-bytes = the store holds other bytes than the ones checked
offsite-changed-after-upload = it reads differently after the upload

## Downloading a backup.
offsite-download-damaged-advice = the download was removed; run the command again, and if it fails again use another copy of the backup
offsite-not-an-id = { $id } is not a backup ID
offsite-not-an-id-advice = use an ID that `carevault offsite list` shows
offsite-no-sidecar = the store holds { $name } but not its sidecar { $name }.json, so the download cannot be checked
offsite-no-sidecar-advice = push it again from the tablet that made it, or ask the bucket's administrator
offsite-sidecar-size = the store lists { $name } with { $size } bytes, but its sidecar says otherwise
offsite-sidecar-size-advice = use another copy of the backup; this object or its sidecar was altered
offsite-doing-creating-download-folder = creating the download folder
offsite-download-exists = { $file } exists already; it was left as it is
offsite-download-exists-advice = choose another folder, or remove the file if it is an older download
offsite-doing-reading-download = reading the download
offsite-download-size = the download has { $got } bytes, not { $want }
offsite-download-sha256 = the download's SHA-256 differs from its sidecar's
offsite-sidecar-metadata = the sidecar's metadata cannot be read: { $error }
offsite-download-metadata = the downloaded backup's readable details differ from its sidecar's
offsite-download-metadata-advice = use another copy of the backup
offsite-download-other-backup = the store's { $name } holds the backup { $id }, not the one asked for
offsite-download-other-backup-advice = use another copy of the backup; the bucket's objects were renamed or replaced
offsite-download-unsigned = { $name } carries no tablet's signature, so where it came from cannot be told
offsite-download-unsigned-advice = use a backup that a tablet pushed itself; an unsigned file in the bucket was put there some other way
offsite-download-other-signer = { $name } was signed by the key { $signer }, which is not the tablet whose folder it is in
offsite-download-other-signer-advice = use a backup from that tablet's own folder; this one was put there by someone else
offsite-doing-naming-download = giving the download its name

## Checking a bucket's settings.
offsite-setting-refused = the store refused to show the bucket's { $setting } setting ({ $detail })
offsite-setting-refused-advice = run check-bucket with the bucket administrator's key (it needs s3:GetBucketVersioning, s3:GetBucketObjectLockConfiguration and s3:GetLifecycleConfiguration)
offsite-bucket-missing = the bucket does not exist
offsite-bucket-missing-advice = check the endpoint and bucket name
offsite-setting-answered = the store answered the request for the bucket's { $setting } setting with { $detail }
offsite-setting-answered-advice = run the command again later; if it persists, check the endpoint
offsite-missing-versioning-unsupported = versioning: this store does not support it
offsite-missing-versioning = versioning is not enabled
offsite-missing-lock-unsupported = object lock: this store does not support it
offsite-missing-lock-mode = object lock's default retention is in { $mode } mode, not COMPLIANCE
offsite-missing-lock-retention = object lock has no default retention
offsite-missing-lock = object lock is not enabled
offsite-missing-lifecycle-unsupported = lifecycle rules: this store does not support them
offsite-missing-abort-rule = no lifecycle rule aborts incomplete multipart uploads
offsite-missing-expire-rule = no lifecycle rule expires noncurrent versions

## The fleet reader.
offsite-fleet-store-advice = give --store s3://BUCKET/PREFIX/ (e.g. s3://moh-carevault/tablets/), see docs/FLEET.md
offsite-fleet-not-s3-url = the store is not an s3:// URL
offsite-fleet-bad-prefix = the store's prefix must be parts of letters, digits, '.', '_' and '-' separated by '/'
offsite-fleet-bad-line = a line is not `key = value`
offsite-fleet-unknown-key = unknown key { $key } (allowed: endpoint, region, access_key, secret_key, path_style)
offsite-fleet-no-keys = it has no access_key and secret_key
offsite-fleet-no-credentials = no read credentials for the store
offsite-fleet-no-credentials-advice = give --config FILE (mode 0600) or set CAREVAULT_S3_ACCESS_KEY and CAREVAULT_S3_SECRET_KEY (docs/FLEET.md)
offsite-fleet-no-endpoint = no endpoint for the store
offsite-fleet-no-endpoint-advice = put `endpoint = https://...` in the --config file or set CAREVAULT_S3_ENDPOINT (docs/FLEET.md)
offsite-fleet-settings-unusable = the store settings file cannot be used: { $why }
offsite-fleet-settings-unusable-advice = write `endpoint`, `region`, `access_key` and `secret_key` lines (docs/FLEET.md), mode 0600
offsite-doing-reading-store-settings = reading the store settings
offsite-fleet-not-a-file = it is not a regular file
offsite-fleet-settings-readable = the store settings file may be read by other users; it was not used
offsite-fleet-settings-readable-advice = make it readable by its owner only (chmod 600), and have the key replaced if others could have read it
offsite-fleet-no-file = it does not exist
offsite-fleet-not-text = it is not text
offsite-fleet-index-unusable = the fleet index cannot be used: { $error }
offsite-fleet-index-unusable-advice = check the --index file (another `carevault fleet` may be running); remove it to rebuild it from the bucket
offsite-fleet-reader-failed = a reader thread failed
offsite-fleet-head-behind = { $key } carries audit head { $seq } after an earlier event carried { $before }
offsite-fleet-head-other-hash = { $key } carries audit head { $seq } after an earlier event carried { $before } with another hash
offsite-fleet-head-removed = { $key } carries no audit head after earlier events carried one (the trail was removed)
offsite-fleet-risk-no-copy = no offsite copy
offsite-fleet-risk-old-copy = the newest offsite copy is { $age } days old (policy: { $days } days)
offsite-fleet-risk-unfinished = { $count } upload(s) did not finish (no status event or no sidecar): { $list }
offsite-fleet-risk-shrinking = backups are shrinking: the newest is { $percent }% smaller than the largest of the { $count } before it
offsite-fleet-risk-anchor = the audit anchor went backwards: { $detail }
offsite-fleet-risk-problems = { $count } object(s) could not be read

## The fleet auditor.
offsite-audit-sidecar-unreadable = its sidecar cannot be read: { $error }
offsite-audit-sidecar-unusable = its sidecar is unusable: { $why }
offsite-audit-size = the store lists { $listed } bytes, its sidecar says { $sidecar }
offsite-audit-download-failed = it could not be downloaded: { $error }
offsite-audit-download-unreadable = the download cannot be read: { $error }
offsite-audit-sha256 = its SHA-256 differs from its sidecar's: the object is damaged
offsite-audit-checks-fail = the file's own checks fail: { $error }
offsite-audit-other-backup = its readable details name another backup than its sidecar
offsite-audit-other-signer = its signature ({ $signature }) is not the one its sidecar names ({ $sidecar })
offsite-audit-unsigned = unsigned
offsite-doing-making-audit-folder = making the auditor's download folder
