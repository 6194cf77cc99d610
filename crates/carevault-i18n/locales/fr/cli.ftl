# carevault: cli messages (fr).
# `noun` is "passphrase" (une phrase secrète) or "password" (un mot de
# passe): the French messages choose their words by it. The `cli-doing-*`
# phrases follow "pendant" and "terminer" in core's messages: a noun phrase
# with its article.

## output.rs: errors, listings, words shared by several commands.
cli-error = erreur : { $message }
cli-error-cause = cause : { $cause }
cli-error-advice = que faire : { $advice }
cli-age-unknown = d'âge inconnu
cli-age-under-a-minute = faite il y a moins d'une minute
cli-age-minutes = faite il y a { $n } { $n ->
        [one] minute
       *[other] minutes
    }
cli-age-hours = faite il y a { $n } { $n ->
        [one] heure
       *[other] heures
    }
cli-age-days = faite il y a { $n } { $n ->
        [one] jour
       *[other] jours
    }
cli-yes = oui
cli-no = non
cli-none = aucune
cli-role-clinical-manager = Responsable clinique
cli-role-clinic-nurse = Infirmier de la clinique
cli-role-system-administrator = Administrateur système
cli-role-clinic-staff = Personnel de la clinique
cli-list-none = Aucun résultat
cli-list-col-label = Libellé/identifiant
cli-list-col-timestamp = Date et heure
cli-list-col-size = Taille
cli-list-col-encrypted = Chiffrée
cli-list-col-created-by = Créée par
cli-list-col-location = Emplacement
cli-list-col-found-on = Trouvée sur
# same in French
cli-list-col-signature = Signature
cli-list-conflict = CONFLIT : un autre fichier a cet identifiant
cli-list-damaged = ENDOMMAGÉ : { $problem }
cli-trust-this-device = cette tablette
cli-trust-trusted = de confiance
cli-trust-not-trusted = pas de confiance
cli-trust-unsigned = non signée
cli-trust-key = clé { $id }

## progress.rs
cli-waiting-for-sync = attente de la fin de la synchronisation en cours (--wait-sync) ...
cli-phase-waiting-for-sync = Attente de la fin de la synchronisation
cli-phase-key-derivation = Vérification de la phrase secrète
cli-phase-backup = Écriture de la sauvegarde
cli-phase-read = Lecture et vérification
cli-phase-copy = Copie
cli-phase-upload = Envoi
cli-phase-download = Téléchargement
cli-phase-import = Importation

## secrets.rs: passphrases, passwords, the login.
cli-doing-reading-secret-stdin = la lecture { $noun ->
        [passphrase] de la phrase secrète
       *[password] du mot de passe
    } depuis l'entrée standard
cli-doing-reading-secret-file = la lecture du fichier { $noun ->
        [passphrase] de la phrase secrète
       *[password] du mot de passe
    }
cli-doing-reading-secret = la saisie { $noun ->
        [passphrase] de la phrase secrète
       *[password] du mot de passe
    }
cli-doing-reading-recovery-key = la lecture du fichier de clé de récupération
cli-secret-file-empty = le fichier { $noun ->
        [passphrase] de la phrase secrète
       *[password] du mot de passe
    } { $path } est vide
cli-secret-file-empty-advice = écrivez { $noun ->
        [passphrase] la phrase secrète
       *[password] le mot de passe
    } sur sa première ligne
cli-secret-no-terminal = { $noun ->
        [passphrase] une phrase secrète est nécessaire et aucun terminal ne permet de la demander
       *[password] un mot de passe est nécessaire et aucun terminal ne permet de le demander
    }
cli-secret-no-terminal-advice = utilisez { $flag } FICHIER ou définissez { $var }
cli-secret-empty = { $noun ->
        [passphrase] la phrase secrète est vide
       *[password] le mot de passe est vide
    }
cli-secret-empty-advice = { $noun ->
        [passphrase] tapez une phrase secrète
       *[password] tapez un mot de passe
    }
cli-secret-differ = { $noun ->
        [passphrase] les deux phrases secrètes sont différentes
       *[password] les deux mots de passe sont différents
    }
cli-secret-differ-advice = relancez la commande et tapez deux fois { $noun ->
        [passphrase] la même phrase secrète
       *[password] le même mot de passe
    }
cli-prompt = { $label } :
cli-prompt-repeat-passphrase = Répétez-la
cli-prompt-repeat-password = Répétez-le
cli-prompt-backup-passphrase = Phrase secrète de la sauvegarde
cli-prompt-password-for = Mot de passe de { $user }
cli-login-needed = cette commande demande une connexion
cli-login-needed-advice = donnez --user NOM (ou définissez CAREVAULT_USER) ; le mot de passe vient de --password-file, de CAREVAULT_PASSWORD ou d'une invite

## commands.rs: backup, verify, restore, show, delete, rekey, keygen.
cli-no-caps = NON
cli-unknown = inconnu
cli-deleted = Supprimé : { $path }
cli-rekey-not-encrypted = cette sauvegarde n'est pas chiffrée : elle n'a pas de phrase secrète à changer
cli-rekey-not-encrypted-advice = faites plutôt une nouvelle sauvegarde chiffrée
cli-prompt-new-passphrase = Nouvelle phrase secrète
cli-rekeyed = La phrase secrète de { $path } a été changée ; l'ancienne ne l'ouvre plus.
cli-keygen-written = Clé de récupération écrite dans { $path } (gardez-la hors ligne, par exemple au bureau de l'établissement).
cli-keygen-public = Clé publique (à donner aux sauvegardes avec --recovery-key) : { $key }
cli-key-file-exists = le fichier de clé existe déjà
cli-key-file-exists-advice = choisissez un autre nom de fichier ; une clé existante n'est jamais écrasée
cli-doing-writing-key-file = l'écriture du fichier de clé
cli-verify-ok = OK : { $label } vérifiée ({ $entries } éléments, { $data } de données, fichier de { $size })
cli-prompt-passphrase-for-backup = Phrase secrète de cette sauvegarde
cli-backup-done = Sauvegarde terminée : { $label } ({ $id })
cli-backup-note = remarque   { $note }
cli-backup-file = fichier    { $path }
cli-backup-size = taille     { $size } ({ $data } de données en { $entries } éléments)
cli-backup-encrypted = chiffrée   { $encrypted }
cli-backup-verified = vérifiée   { $verified }
cli-backup-verified-yes = oui : relue et chaque octet vérifié
cli-backup-verified-no = NON (--no-verify)
cli-backup-paused = appli en pause { $paused } pendant l'instantané de ses bases de données
cli-backup-paused-under-1-ms = moins de 1 ms
# same in French
cli-backup-paused-ms = { $ms } ms
cli-backup-not-stored = non enregistré : { $what }
cli-restore-needs-confirmation = une restauration sur des données de la clinique existantes doit être confirmée, et aucun terminal ne permet de le demander
cli-restore-needs-confirmation-advice = lancez-la dans un terminal pour voir ce qu'elle remplace et répondre, ou ajoutez --yes dans un script
cli-restore-would = Restaurerait { $label } ({ $id }), faite le { $taken } par { $by }
cli-restore-done = Restaurée : { $label } ({ $id }), faite le { $taken } par { $by }
cli-restore-into = dans       { $path }
cli-restore-replacing = remplace   { $files } fichiers, { $size } (gardés en copie de sécurité)
cli-restore-writes = écrit      { $entries } éléments, { $size }
cli-restore-space = espace     il faut { $need }, libre { $have }
cli-restore-safety-copy = copie de sécurité des données remplacées : { $path }
cli-restore-checks = Vérification par rapport au manifeste de la sauvegarde :
cli-restore-dry-run = Essai à blanc : rien n'a été modifié.
# same in French
cli-check-ok = ok
cli-check-diff = DIFF
cli-check-line = { $mark } { $name } attendu { $expected } trouvé { $actual }
cli-confirm-intro = Cette restauration remplace les données de la clinique de cette tablette par la sauvegarde :
cli-confirm-backup = sauvegarde { $label } ({ $id }), faite le { $made } par { $by }
cli-confirm-patients = patients   { $now } maintenant, { $backup } dans la sauvegarde
cli-confirm-lost = PERDUS     { $n } enregistrements de la file d'envoi non synchronisés : la restauration les perd
cli-confirm-outbox-synchronized = file d'envoi  chaque enregistrement est synchronisé
cli-confirm-safety-copy = Les données remplacées sont gardées en copie de sécurité.
cli-confirm-question = Tapez oui pour restaurer, toute autre réponse arrête :
# The word the person types to say yes (the question names it).
cli-confirm-yes-word = oui
cli-show-label = Libellé        { $label } ({ $id })
cli-show-timestamp = Date et heure  { $local } (UTC { $utc })
cli-show-created-by = Créée par      { $by }
cli-show-location = Emplacement    { $location }
cli-show-encrypted = Chiffrée       { $encrypted }
cli-show-size = Taille         { $size }
cli-show-facility = Établissement  { $facility }  Tablette { $device }
cli-show-version = Version        appli { $app }, format { $format }
cli-show-file = Fichier        { $path }
cli-show-signature = Signature      { $signature }
cli-show-verified-ok = Vérifiée       OK le { $at }
cli-show-verified-failed = Vérifiée       ÉCHEC le { $at } : { $problem }
cli-show-verified-never = Vérifiée       jamais (lancez `carevault verify`)
cli-show-contents = Contenu        { $entries } éléments, { $data } de données ; domaine { $realm }, adresse de synchronisation { $endpoint }
cli-show-contents-hidden = Contenu        (utilisez --contents avec la phrase secrète pour le voir)

## admin.rs: users, audit trail, sync state, status, auto.
cli-prompt-new-user-password = Mot de passe du nouvel utilisateur
cli-role-unknown = { $name } n'est pas un rôle connu de carevault
cli-role-unknown-advice = utilisez "Clinical Manager", "Clinic Nurse", "System Administrator" ou "Clinic Staff"
cli-first-user-admin = le premier utilisateur doit être Administrateur système
cli-first-user-admin-advice = ajoutez-le avec --role "System Administrator"
cli-user-added = Ajouté : { $name } ({ $role })
cli-user-password-changed = Mot de passe de { $name } changé
cli-user-role-changed = { $name } est maintenant { $role }
cli-audit-intact = OK : { $entries } entrées, la chaîne est intacte
cli-audit-altered = le journal d'audit a été modifié : { $n } problème(s)
cli-audit-altered-advice = gardez une copie de private/audit.log pour l'enquête et signalez-le à l'Administrateur système
cli-sync-idle = Inactif
cli-sync-running = En cours
cli-sync-running-since = En cours depuis { $since }
cli-status-sync = Synchronisation  { $state }
cli-status-medium = { $medium } { $dir } { $free } libres  la plus récente : { $newest }
cli-status-safety-copies = Copies de sécurité  { $count } ({ $size } ; `carevault safety-copies list`)
cli-status-offsite = Hors site        { $pending } en attente, copie la plus récente { $newest }
cli-status-offsite-days-old = vieille de { $days } jours
cli-status-offsite-none-yet = aucune pour l'instant
cli-status-warning = ATTENTION : { $warning }
cli-auto-made = Sauvegarde automatique faite : { $id } ({ $size }), car { $reason }
cli-auto-none = Pas de sauvegarde automatique : { $reason }
cli-auto-removed = Ancienne sauvegarde automatique supprimée : { $path }

## trust.rs: trusted keys, and what a restore changes besides the data.
cli-doing-reading-key-file = la lecture du fichier de clé
cli-doing-reading-facility-key = la lecture de la clé de l'établissement
cli-trust-added = Clé de confiance ajoutée : { $id } ({ $name })
cli-trust-own = Cette tablette  { $id }  { $key }
cli-trust-none = Aucune clé de confiance (ajoutez celle d'une autre tablette avec `carevault trust add`)
cli-trust-certified = La clé de cette tablette est certifiée par une clé d'établissement
cli-trust-kind-device = Confiance
cli-trust-kind-facility = Établissement
cli-trust-entry = { $kind }     { $id }  { $key }  { $name } (ajoutée par { $by } le { $at })
cli-facility-key-written = Clé d'établissement écrite dans { $path } (gardez-la hors ligne, par exemple avec les clés de récupération).
cli-facility-key-public = Clé publique (à accepter avec `carevault trust add KEY --facility`) : { $key }
cli-facility-key-id = Identifiant de la clé : { $id }
cli-facility-key-missing = le fichier de la clé d'établissement n'existe pas
cli-facility-key-missing-advice = donnez le fichier écrit par `carevault trust facility-key`
cli-trust-certify-done = La clé de cette tablette est certifiée par la clé d'établissement { $id } ; les nouvelles sauvegardes portent le certificat.
cli-trust-removed = Clé retirée de la confiance : { $id } ({ $name })
cli-changes-signature = signature
cli-changes-found-on = trouvée sur
cli-changes-facility = établissement
cli-changes-device = tablette
cli-changes-from-to = CHANGEMENT : de { $now } à { $after }
cli-changes-users-after = utilisateurs après la restauration : { $users }
cli-changes-warning = ATTENTION
cli-changes-unsynced = { $n } enregistrements de la file d'envoi ne sont pas encore synchronisés ; la restauration les perdrait
cli-changes-needs-admin = il faut un Administrateur système : { $why }

## safety.rs
cli-safety-none = Aucune copie de sécurité : aucune restauration n'a remplacé de données de la clinique ici.
cli-safety-entry = { $name }  gardée le { $kept }  { $files } fichiers, { $size }
cli-safety-total = { $count } copies de sécurité, { $size } au total
cli-safety-restored = La copie de sécurité { $name } est de nouveau les données de la clinique.
cli-safety-kept-in = les données qu'elle a remplacées sont gardées dans { $path }
cli-safety-removed = Copie de sécurité { $name } supprimée ({ $size }).

## serve.rs
cli-serve-runtime-failed = le serveur n'a pas pu démarrer : { $err }
cli-doing-listening = l'écoute sur { $addr }
cli-doing-reading-address = la lecture de l'adresse d'écoute
cli-doing-serving = le service de l'Explorateur de sauvegardes
cli-serve-url = Explorateur de sauvegardes : { $url }  (Ctrl-C pour arrêter)
cli-serve-not-loopback = attention : écoute sur { $addr } : les autres appareils du réseau peuvent joindre l'Explorateur de sauvegardes

## import.rs: the SanteDB import.
cli-prompt-santedb-passphrase = Phrase secrète de la sauvegarde SanteDB
cli-prompt-import-new-passphrase = Phrase secrète de la sauvegarde carevault
cli-import-encrypted = chiffrée
cli-import-not-encrypted = non chiffrée
cli-import-made-by = , faite le { $at } par { $by }
cli-import-made = , faite le { $at }
cli-import-done = Sauvegarde SanteDB importée : { $file } (structure { $layout }, { $encrypted }{ $made })
cli-import-would = Importerait la sauvegarde SanteDB { $file } (structure { $layout }, { $encrypted }{ $made })
cli-import-database = base de données (enveloppe { $envelope }), { $rows } lignes dans { $tables } tables
cli-import-database-wal = base de données (enveloppe { $envelope }, WAL rejoué), { $rows } lignes dans { $tables } tables
cli-import-assets = { $count } éléments, { $data } de données
cli-import-warning = attention : { $warning }
cli-import-created = créée      le { $at } par { $by }
cli-import-dry-run = Essai à blanc : rien n'a été écrit.

## check_bucket.rs
cli-bucket-enabled = activé
cli-bucket-off = désactivé
cli-bucket-not-set = non défini
cli-bucket-not-supported = non pris en charge par ce stockage
cli-bucket-head = Bucket { $bucket } sur { $endpoint } :
cli-bucket-versioning = versionnage :   { $state }
cli-bucket-days = { $n } jours
cli-bucket-years = { $n } ans
cli-bucket-no-period = (sans durée)
cli-bucket-retention = , rétention par défaut { $mode } { $period }
cli-bucket-object-lock = verrouillage : { $state }{ $retention }
cli-bucket-lifecycle = cycle de vie :  { $state }
cli-bucket-uploads = envois inachevés : { $n } dans le bucket
cli-bucket-uploads-stale = dont { $n } plus anciens que les { $days } jours de la règle d'annulation : la règle de cycle de vie ne les supprime pas
cli-bucket-uploads-refused = envois inachevés : cette clé n'a pas le droit de les lister
cli-bucket-uploads-unsupported = envois inachevés : ce stockage ne sait pas les lister
cli-bucket-uploads-failed = envois inachevés : liste impossible ({ $message })
cli-bucket-abort-uploads = envois multipart incomplets abandonnés après { $n } jours
cli-bucket-expire-noncurrent = versions anciennes expirées après { $n } jours
cli-bucket-missing = MANQUANT : { $what }
cli-bucket-incomplete = il manque au bucket { $n } des réglages recommandés
cli-bucket-incomplete-advice = appliquez les réglages de bucket de docs/OFFSITE.md (étapes 2 à 4), ou utilisez un stockage qui les a

## offsite.rs
cli-never = jamais
cli-offsite-push-nothing-named = nommez les sauvegardes à copier hors site, ou donnez --all
cli-offsite-push-nothing-named-advice = lancez `carevault offsite push --all`, ou `carevault offsite status` pour voir ce qui est en attente
cli-offsite-copied = Copiée hors site : { $id } ({ $size }) sous { $key } (vérifiée avant l'envoi : { $checked } ; taille stockée et ETag vérifiés après)
cli-offsite-push-failed-some = { $failed } sauvegardes sur { $total } n'ont pas pu être copiées hors site ; la première erreur :
cli-offsite-nothing-to-copy = Rien à copier : chaque sauvegarde demandée est déjà hors site.
cli-offsite-not-configured = Les copies hors site ne sont pas configurées (ajoutez [offsite] à carevault.toml : docs/OFFSITE.md).
cli-offsite-status-offsite = Hors site      { $n } sauvegarde(s)
cli-offsite-status-pending = En attente     { $n } sauvegarde(s), { $size } à envoyer
cli-offsite-status-last-success = Dernier succès  { $at }
cli-offsite-status-last-error = Dernière erreur { $at } ({ $code }) : { $message }
cli-offsite-status-resuming = Inachevés       { $n } envoi(s) que carevault offsite push reprendra
cli-offsite-status-abandoned = Abandonnés      { $n } envoi(s) inachevé(s) sous le préfixe de cette tablette, qu'aucun journal local ne reprend :
cli-offsite-status-abandoned-one =   { $key } (commencé le { $initiated }, il y a { $days } jour(s))
cli-offsite-status-abandoned-advice = Ils occupent de l'espace jusqu'à ce que la règle de cycle de vie du bucket les annule : appliquez la règle abort-incomplete-uploads de docs/OFFSITE.md (étape 4). Cette tablette ne peut pas les reprendre.
cli-offsite-status-uploads-refused = Envois inachevés : la clé hors site n'a pas le droit de les lister (s3:ListBucketMultipartUploads) ; la règle de cycle de vie du bucket (docs/OFFSITE.md, étape 4) annule ceux qui sont abandonnés
cli-offsite-status-uploads-unsupported = Envois inachevés : ce stockage ne sait pas les lister
cli-offsite-status-uploads-failed = Envois inachevés non vérifiés : { $message }
cli-offsite-no-sidecar = (pas de fichier d'accompagnement)
cli-offsite-downloaded = Téléchargée : { $path } ({ $size }) ; vérifiée par rapport à son fichier d'accompagnement et à son propre conteneur.

## fleet.rs
cli-fleet-no-store = aucun stockage n'a été donné
cli-fleet-no-store-advice = donnez --store s3://BUCKET/PREFIX/ (docs/FLEET.md)
cli-fleet-head = { $store } : { $devices } tablettes ; { $listed } objets listés, { $read } nouveaux ou modifiés lus, { $unchanged } inchangés, { $removed } disparus.
cli-fleet-col-facility = ÉTABLISSEMENT
cli-fleet-col-device = TABLETTE
cli-fleet-col-backups = SAUVEGARDES
cli-fleet-col-newest-backup = SAUVEGARDE LA PLUS RÉCENTE
cli-fleet-col-size = TAILLE
cli-fleet-col-trend = TENDANCE
cli-fleet-col-newest-offsite = HORS SITE LA PLUS RÉCENTE
cli-fleet-col-age = ÂGE (JOURS)
cli-fleet-col-verified = VÉRIFIÉE
cli-fleet-col-audit = AUDIT
cli-fleet-none-at-risk = Aucune tablette n'est en danger (règle : une copie hors site de moins de { $days } jours).
cli-fleet-at-risk = EN DANGER ({ $n } tablettes) :
cli-fleet-problems = Objets inutilisables ({ $n }) :
cli-fleet-problems-more = … et { $n } de plus, non listés (20 au plus par appareil ; --json les compte dans problems_not_listed)
cli-fleet-audit-head = { $store } : { $listed } sauvegardes, { $checked } vérifiées, { $ok } réussies.
cli-fleet-audit-damaged = ENDOMMAGÉE { $key } : { $message }
cli-fleet-audit-failed = { $damaged } des { $checked } sauvegardes vérifiées sont endommagées
cli-fleet-audit-failed-advice = utilisez une autre copie de chaque sauvegarde endommagée (celle de la tablette, ou une copie External), et faites envoyer une nouvelle sauvegarde par sa tablette

## demo.rs: the demo's report (the commands it shows stay as they are).
cli-demo-created = Clinique de démonstration créée dans { $home } : { $patients } patients, { $visits } visites, { $photos } photos, { $size } sur le stockage
cli-demo-sync-done = Synchronisation terminée : { $pushed } envoyés, { $pulled } reçus en { $steps } étapes
cli-demo-writer-stopped = Écrivain de démonstration arrêté après { $transactions } transactions (plus longue attente de la barrière d'écriture { $wait } ms ; plus longue modification { $longest } ms, 99 % en moins de { $p99 } ms)
cli-demo-failed-advice = voyez le message ; `carevault demo init` demande un dossier vide
cli-demo-folder-not-ours = le dossier de démonstration existe et n'a pas été créé par `carevault demo`
cli-demo-folder-not-ours-advice = choisissez un autre dossier avec --dir
cli-doing-removing-demo = la suppression de la démonstration précédente
cli-doing-creating-demo = la création du dossier de démonstration
cli-doing-writing-recovery-key = l'écriture de la clé de récupération
cli-doing-writing-demo-passphrase = l'écriture de la phrase secrète de démonstration
cli-demo-step-init = 1. Créer une clinique de démonstration
cli-demo-init-done = { $patients } patients, { $visits } visites, { $immunizations } vaccinations, { $outbox } éléments dans la file d'envoi, { $photos } photos ; { $size } sur le stockage ({ $seconds } s)
cli-demo-step-keygen = 2. Créer une clé de récupération de l'établissement
cli-demo-public-key = clé publique { $key }
cli-demo-passphrase-in = phrase secrète de démonstration dans { $path }
cli-demo-step-writer = 3. Lancer l'écrivain de démonstration (il enregistre des modifications sans arrêt)
cli-demo-step-backup = 4. Sauvegarder en tant qu'infirmier, avec chiffrement, sur le stockage Public (le dossier Documents de la clinique) pendant que l'écrivain écrit
cli-demo-writer-panicked = le fil de l'écrivain de démonstration a planté
cli-demo-backup-done = { $id } -> { $size } en { $seconds } s (barrière d'écriture tenue { $barrier } ms ; l'écrivain a enregistré { $transactions } modifications pendant ce temps, plus longue attente { $wait } ms)
cli-demo-step-list = 5. Lister les sauvegardes
cli-demo-step-verify = 6. Vérifier chaque octet
cli-demo-verify-done = OK : { $entries } éléments, { $data } de données
cli-demo-step-restore = 7. Restaurer dans un nouveau dossier de l'application vide (comme sur une tablette de remplacement), avec la clé de récupération
cli-demo-restore-returned-plan = la restauration a rendu un plan
cli-demo-consistency = cohérence entre les bases : { $restored } transactions de l'écrivain restaurées entières, { $problems } problèmes
cli-demo-done = Terminé. Tout est dans { $dir }.
cli-demo-mismatch = les données restaurées de la démonstration ne correspondent pas à sa sauvegarde
cli-demo-mismatch-advice = signalez-le avec le dossier de démonstration
cli-demo-next-steps =
    À essayer ensuite :
      Ouvrez l'Explorateur de sauvegardes sur la clinique de démonstration :
        carevault serve --home { $d }/clinic
      puis allez sur http://127.0.0.1:8080 et connectez-vous en tant que nurse (mot de passe
      nurse-demo-pass) ; les autres utilisateurs de démonstration sont admin, manager et staff,
      chacun avec le mot de passe NOM-demo-pass. La sauvegarde faite plus haut y est listée :
      ouvrez ses détails, « Vérifier maintenant » avec la phrase secrète de { $d }/passphrase.txt.
      En ligne de commande (le mot de passe vient de l'environnement, démonstration seulement) :
        export CAREVAULT_USER=nurse CAREVAULT_PASSWORD=nurse-demo-pass
        carevault status --home { $d }/clinic
        carevault show { $file } --home { $d }/clinic
        carevault verify { $file } --home { $d }/clinic --passphrase-file { $d }/passphrase.txt
        carevault restore { $file } --home { $d }/clinic --passphrase-file { $d }/passphrase.txt
      La copie restaurée (comme sur une tablette de remplacement) est dans { $d }/restored.

## help.rs: each command's description in `--help`.
cli-about = Sauvegarde et restauration des données de la clinique sur des tablettes hors ligne
cli-about-demo = Faire tout le cycle sur une nouvelle clinique de démonstration (voir README)
cli-about-demo-init = Créer un dossier de l'application de démonstration avec des données de clinique réalistes
cli-about-demo-sync = Lancer le simulateur de synchronisation (il tient le verrou de synchronisation et écrit comme une vraie synchronisation)
cli-about-demo-write = Lancer l'écrivain de démonstration (il enregistre des modifications jusqu'à Ctrl-C)
cli-about-backup = Faire une sauvegarde des données du dossier de l'application
cli-about-verify = Lire une sauvegarde en entier et vérifier chaque octet
cli-about-restore = Restaurer une sauvegarde dans le dossier de l'application (les données remplacées sont gardées)
cli-about-list = Lister les sauvegardes du dossier Private du dossier de l'application et des dossiers donnés
cli-about-show = Montrer les détails d'une sauvegarde (et, avec la phrase secrète, son contenu)
cli-about-delete = Supprimer une sauvegarde
cli-about-rekey = Changer la phrase secrète d'une sauvegarde (le contenu n'est pas rechiffré)
cli-about-users = Les utilisateurs et leurs rôles (Administrateur système seulement ; le premier utilisateur d'un dossier vide n'a pas besoin de connexion)
cli-about-users-add = Ajouter un utilisateur (mot de passe par --new-password-file, CAREVAULT_NEW_PASSWORD ou une invite)
cli-about-users-list = Lister les utilisateurs et leurs rôles
cli-about-users-passwd = Définir le mot de passe d'un utilisateur
cli-about-users-role = Changer le rôle d'un utilisateur
cli-about-audit = Le journal d'audit
cli-about-audit-list = Afficher le journal d'audit
cli-about-audit-verify = Vérifier la chaîne d'empreintes du journal d'audit (trouve les entrées modifiées, supprimées ou déplacées)
cli-about-safety-copies = Les données que des restaurations ont remplacées : lister, remettre, supprimer
cli-about-safety-copies-list = Les copies de sécurité, la plus récente d'abord, avec leur taille
cli-about-safety-copies-restore = Remettre une copie de sécurité comme données de la clinique (Administrateur système ; les données qu'elle remplace deviennent à leur tour une copie de sécurité)
cli-about-safety-copies-remove = Supprimer une copie de sécurité (Administrateur système)
cli-about-trust = Les clés de signature des autres tablettes de l'établissement dont les infirmiers et responsables peuvent restaurer les sauvegardes ici (Administrateur système seulement)
cli-about-trust-add = Faire confiance à la clé de signature d'une autre tablette (telle que `trust list` l'y montre, ou son fichier .pub minisign)
cli-about-trust-facility-key = Créer une paire de clés d'établissement qui contresigne les clés des tablettes (le secret va dans FILE, gardé hors ligne comme une clé de récupération ; sans connexion)
cli-about-trust-certify = Certifier la clé de cette tablette avec la clé d'établissement, pour que les tablettes qui font confiance à la clé d'établissement fassent confiance aux sauvegardes de cette tablette
cli-about-trust-list = La clé de signature de cette tablette et les clés de confiance
cli-about-trust-remove = Ne plus faire confiance à une clé (par identifiant de clé ou nom)
cli-about-sync = État de la synchronisation
cli-about-sync-status = Inactif ou en cours (et depuis quand)
cli-about-status = État de la synchronisation, sauvegarde la plus récente par support, espace libre, avertissement hebdomadaire
cli-about-auto = Faire une sauvegarde automatique Private si elle est due, puis appliquer la rétention
cli-about-serve = Servir l'Explorateur de sauvegardes (application web et API JSON, docs/API.md) jusqu'à Ctrl-C ; fait aussi les sauvegardes automatiques à l'intervalle du profil
cli-about-import = Importer une sauvegarde faite par un autre système comme sauvegarde carevault
cli-about-import-santedb = Lire une sauvegarde SanteDB de toute disposition (.bin, .sdbk, .tar.gz) et en écrire une sauvegarde carevault (docs/IMPORT.md)
cli-about-offsite = Copies des sauvegardes sur un stockage objet compatible S3 (docs/OFFSITE.md)
cli-about-offsite-push = Envoyer les sauvegardes terminées qui ne sont pas encore hors site
cli-about-offsite-status = Ce qui est hors site, ce qui est en attente, le dernier succès et la dernière erreur, et les envois inachevés laissés dans le stockage
cli-about-offsite-list = Les sauvegardes du stockage sous le préfixe de cette tablette
cli-about-offsite-get = Télécharger une sauvegarde du stockage dans un dossier (reprend où il s'est arrêté)
cli-about-offsite-check-bucket = Si le bucket a le versionnage activé, le verrouillage d'objets avec une rétention par défaut, et les règles de cycle de vie recommandées
cli-about-fleet = Toutes les tablettes du bucket d'un ministère : sauvegardes et copies hors site les plus récentes, ancres d'audit, tablettes en danger ; `fleet audit` vérifie des sauvegardes (docs/FLEET.md)
cli-about-fleet-audit = Télécharger des sauvegardes (un échantillon ou toutes) et les vérifier sans la phrase secrète
cli-about-keygen = Créer une paire de clés de récupération (l'établissement garde la moitié secrète)

## carevault-demo: DemoError::text.
## `action` and `what` are the demo library's English words.
cli-demo-err-already-initialized = { $path } contient déjà des bases de données de la clinique ({ $found }) : demo init ne remplit qu'un dossier de l'application vide ; choisissez un autre dossier, ou déplacez d'abord { $path }
cli-demo-err-data-not-empty = { $path } n'est pas vide (il contient { $found }) : demo init ne remplit qu'un dossier de l'application vide ; choisissez un autre dossier, ou déplacez d'abord { $path }
cli-demo-err-invalid-options = options de démonstration invalides : { $detail }
cli-demo-err-io = échec de l'opération « { $action } » sur { $path } : { $err }
cli-demo-err-sqlite = SQLite n'a pas pu faire l'opération « { $action } » dans { $path } : { $err }
cli-demo-err-password-hash = impossible de hacher le mot de passe de l'utilisateur de démonstration { $user } : { $message }
cli-demo-err-missing-database = { $path } manque : ce n'est pas un dossier de données de démonstration (ou une restauration l'a laissé incomplet) ; lancez `carevault demo init` sur un nouveau dossier, ou restaurez une sauvegarde complète
cli-demo-err-not-demo-data = { $path } n'a pas de { $what } : l'écrivain de démonstration a besoin d'une clinique de démonstration générée ; lancez d'abord `carevault demo init` sur un nouveau dossier
cli-demo-err-retries-exhausted = l'écrivain de démonstration a abandonné après { $seconds } s de nouvelles tentatives sur { $path } (dernière erreur : { $last }) ; vérifiez que le dossier de données existe et est accessible en écriture, puis relancez l'écrivain
cli-demo-err-partial-write = la transaction { $txn } de l'écrivain est enregistrée dans clinical.db mais pas dans sync.db ({ $cause }), et son annulation a échoué ({ $undo }) : { $path } contient maintenant une transaction partielle ; restaurez une sauvegarde ou recréez le dossier de démonstration

## help.rs: --help en français. L'aide de chaque option et argument, les
## titres de clap et ses textes d'aide intégrés. Les titres se terminent par
## une espace : clap ajoute le deux-points.
cli-help-usage = Utilisation :
cli-help-heading-commands = Commandes{" "}
cli-help-heading-arguments = Arguments{" "}
cli-help-heading-options = Options{" "}
cli-help-value-command = COMMANDE
cli-help-default = [par défaut : { $value }]
cli-help-about-help = Afficher ce message ou l'aide des sous-commandes données
cli-arg-help = Afficher l'aide
cli-arg-version = Afficher la version
cli-arg-json = Afficher les résultats en JSON (voir docs/JSON.md)
cli-arg-user = Se connecter sous ce nom d'utilisateur (son rôle décide de ce qui est permis)
cli-arg-password-file = Lire le mot de passe de l'utilisateur dans ce fichier ("-" = entrée standard). Sinon CAREVAULT_PASSWORD, sinon une invite
cli-arg-home = Le dossier de l'application (contient data/, private/ et carevault.toml)
cli-arg-in = Chercher aussi dans ce dossier (répétable)
cli-arg-media = Seulement ce support (private, public ou external)
cli-arg-backup = Identifiant, libellé ou fichier de la sauvegarde (docs/CLI.md, « Naming a backup »)
cli-arg-passphrase-file = Lire la phrase secrète dans ce fichier ("-" = entrée standard). Sinon CAREVAULT_PASSPHRASE, sinon une invite dans le terminal
cli-arg-identity = Déverrouiller avec un fichier de clé de récupération (de `carevault keygen`) au lieu de la phrase secrète
cli-arg-wait-sync = Attendre au plus ce nombre de secondes la fin d'une synchronisation en cours
cli-arg-out = Écrire la clé secrète dans ce fichier (refuse de l'écraser)
cli-arg-demo-dir = Dossier de la démonstration (remplacé si une démonstration précédente l'a créé)
cli-arg-demo-patients = Patients de la clinique de démonstration
cli-arg-demo-photos = Photos de la clinique de démonstration
cli-arg-demo-init-home = Où le créer
cli-arg-demo-home = Le dossier de l'application
cli-arg-demo-seconds = Durée de la synchronisation
cli-arg-demo-rate = Transactions par seconde (par défaut : aussi vite que possible)
cli-arg-demo-max = S'arrêter après ce nombre de transactions
cli-arg-backup-to = Écrire dans ce dossier au lieu d'un support (la règle External s'applique)
cli-arg-backup-label = Un libellé affiché dans les listes
cli-arg-backup-medium = Support : private, public ou external (public si aucune carte SD ni clé USB n'est montée)
cli-arg-backup-passphrase-file = Lire la phrase secrète dans ce fichier ("-" = entrée standard)
cli-arg-backup-no-encrypt = Faire une sauvegarde non chiffrée (refusé là où la règle exige le chiffrement)
cli-arg-backup-recovery-key = Une clé publique de récupération (age1...) qui peut aussi déverrouiller la sauvegarde (répétable)
cli-arg-backup-no-verify = Ne pas relire le fichier écrit avant d'annoncer la sauvegarde (pour les mesures de performance seulement : une sauvegarde non vérifiée peut ne pas être restaurable)
cli-arg-restore-dry-run = Afficher ce qui se passerait, sans rien changer
cli-arg-restore-yes = Remplacer les données de la clinique existantes sans demander (pour les scripts ; dans un terminal, la restauration demande et montre ce qu'elle remplace)
cli-arg-restore-full-check = Faire le `PRAGMA integrity_check` complet de chaque base restaurée, même quand la sauvegarde a scellé son propre contrôle réussi
cli-arg-show-contents = Montrer aussi le contenu (demande la phrase secrète)
cli-arg-rekey-new-passphrase-file = Lire la nouvelle phrase secrète dans ce fichier. Sinon CAREVAULT_NEW_PASSPHRASE, sinon une invite
cli-arg-users-role = "Clinical Manager", "Clinic Nurse", "System Administrator" ou "Clinic Staff"
cli-arg-safety-copy-name = Son nom, tel que `list` l'affiche
cli-arg-trust-key = La clé publique (commence par RW), ou un fichier qui la contient
cli-arg-trust-name = Un nom pour la tablette (ou l'établissement) à qui la clé appartient
cli-arg-trust-facility = KEY est une clé d'établissement (`trust facility-key`) : faire confiance à chaque tablette dont elle a certifié la clé
cli-arg-trust-facility-key = Le fichier de clé secrète de l'établissement
cli-arg-trust-remove-key = Identifiant ou nom de la clé
cli-arg-serve-listen = Adresse et port d'écoute (boucle locale sauf indication contraire)
cli-arg-serve-max-upload = Plus grand fichier de sauvegarde accepté en envoi, en octets (8 Gio par défaut)
cli-arg-santedb-file = Le fichier de sauvegarde SanteDB
cli-arg-santedb-passphrase-file = Lire la phrase secrète de la sauvegarde SanteDB dans ce fichier ("-" = entrée standard). Sinon CAREVAULT_SANTEDB_PASSPHRASE, sinon une invite ; demandée seulement si le fichier est chiffré
cli-arg-santedb-to = Dossier de la sauvegarde carevault (la règle External s'applique)
cli-arg-santedb-label = Un libellé pour la sauvegarde carevault (par défaut : SanteDB-<heure de création>)
cli-arg-santedb-encrypt-with-passphrase-file = Lire la phrase secrète de la sauvegarde carevault dans ce fichier. Sinon CAREVAULT_NEW_PASSPHRASE, sinon une invite
cli-arg-santedb-no-encrypt = Faire la sauvegarde carevault non chiffrée (refusé là où la règle exige le chiffrement)
cli-arg-santedb-recovery-key = Une clé publique de récupération (age1...) qui peut aussi déverrouiller la sauvegarde carevault (répétable)
cli-arg-santedb-dry-run = Tout lire et vérifier, afficher ce qui serait importé, ne rien écrire
cli-arg-offsite-push-ids = Identifiants des sauvegardes à envoyer
cli-arg-offsite-push-all = Chaque sauvegarde locale qui n'est pas encore hors site
cli-arg-offsite-list-device = L'identifiant de clé d'une autre tablette, pour la partie `{"{"}device{"}"}` du préfixe (une tablette de remplacement qui lit les copies de la tablette perdue)
cli-arg-offsite-get-id = Identifiant de la sauvegarde (ou son nom de fichier)
cli-arg-offsite-get-to = Le dossier où la mettre
cli-arg-offsite-get-device = L'identifiant de clé d'une autre tablette (voir `list --device`)
cli-arg-check-bucket-store = Vérifier ce bucket (s3://BUCKET) plutôt que celui du profil
cli-arg-check-bucket-config = Avec --store : le fichier de réglages (voir `carevault fleet --help`)
cli-arg-fleet-store = Le bucket et le préfixe sous lesquels les tablettes écrivent : s3://BUCKET/PREFIX/
cli-arg-fleet-config = Un fichier (mode 0600) avec des lignes `endpoint`, `region`, `access_key` et `secret_key` ; sinon CAREVAULT_S3_ENDPOINT, CAREVAULT_S3_REGION, CAREVAULT_S3_ACCESS_KEY et CAREVAULT_S3_SECRET_KEY
cli-arg-fleet-index = Le fichier d'index (SQLite), créé s'il manque
cli-arg-fleet-days = Une tablette sans copie hors site plus récente que ce nombre de jours est en danger
cli-arg-fleet-full = Lister chaque dossier depuis le début, comme le fait une exécution sur dix : trouve les clés écrites hors de leur ordre et retire de l'index les objets disparus du bucket
cli-arg-fleet-audit-sample = Vérifier ce nombre de sauvegardes, tirées au hasard (par défaut : toutes)

# Étapes du générateur de démonstration qui peuvent échouer sur un dossier ou SQLite (cli-demo-err-io, -sqlite).
cli-demo-doing-apply-pulled-changes = appliquer les changements reçus
cli-demo-doing-attach-read-only = attacher en lecture seule
cli-demo-doing-begin = commencer la transaction
cli-demo-doing-begin-the-bulk-load = commencer le chargement en masse
cli-demo-doing-check-consistency = vérifier la cohérence
cli-demo-doing-close-the-database = fermer la base de données
cli-demo-doing-commit = valider la transaction
cli-demo-doing-commit-the-bulk-load = valider le chargement en masse
cli-demo-doing-complete-the-sync-log-entry = terminer l'entrée du journal de synchronisation
cli-demo-doing-count-writer-outbox-entries = compter les entrées de la file d'envoi de l'écrivain
cli-demo-doing-count-writer-visits = compter les visites de l'écrivain
cli-demo-doing-create = créer
cli-demo-doing-create-the-app-home = créer le dossier de l'application
cli-demo-doing-create-the-database = créer la base de données
cli-demo-doing-create-the-folder = créer le dossier
cli-demo-doing-create-the-staging-folder = créer le dossier de préparation
cli-demo-doing-create-the-sync-indexes = créer les index de synchronisation
cli-demo-doing-create-the-sync-tables = créer les tables de synchronisation
cli-demo-doing-create-the-users-table = créer la table des utilisateurs
cli-demo-doing-fsync = écrire sur le disque (fsync)
cli-demo-doing-fsync-the-folder = écrire sur le disque (fsync) le dossier
cli-demo-doing-generate-clinical-data = générer les données cliniques
cli-demo-doing-go-on-synchronizing = poursuivre la synchronisation
cli-demo-doing-insert-a-sync-log-entry = ajouter une entrée au journal de synchronisation
cli-demo-doing-insert-a-user = ajouter un utilisateur
cli-demo-doing-insert-an-outbox-entry = ajouter une entrée à la file d'envoi
cli-demo-doing-list = lister
cli-demo-doing-open = ouvrir
cli-demo-doing-open-read-only = ouvrir en lecture seule
cli-demo-doing-prepare = préparer la requête
cli-demo-doing-push-outbox-entries = envoyer les entrées de la file d'envoi
cli-demo-doing-read-the-identity-of = lire l'identité de
cli-demo-doing-read-the-schema = lire le schéma
cli-demo-doing-read-the-size-of = lire la taille de
cli-demo-doing-run-a-writer-transaction = exécuter une transaction de l'écrivain
cli-demo-doing-serialize = sérialiser
cli-demo-doing-set-the-busy-timeout = régler le délai d'attente
cli-demo-doing-set-the-schema-version = enregistrer la version du schéma
cli-demo-doing-set-up-the-bulk-load = préparer le chargement en masse
cli-demo-doing-start-the-sync-log-entry = commencer l'entrée du journal de synchronisation
cli-demo-doing-switch-to-wal-mode = passer en mode WAL
cli-demo-doing-take-the-sync-lock-in = prendre le verrou de synchronisation dans
cli-demo-doing-take-the-write-barrier-in = prendre la barrière d'écriture dans
cli-demo-doing-write = écrire
cli-demo-doing-move-the-generated-data-into-place-at = mettre en place les données générées dans
cli-demo-doing-remove-the-leftover-staging-folder = supprimer le dossier de préparation restant
cli-fleet-serve-url = Page du parc : { $url }  (Ctrl-C pour arrêter)
cli-doing-serving-fleet = le service de la page du parc
cli-fleet-serve-needs-token = { $addr } n'est pas une adresse de bouclage, et aucun jeton d'accès n'a été donné
cli-fleet-serve-needs-token-advice = donnez --token-file FICHIER (mode 0600, créé par : umask 077; openssl rand -hex 32 > FICHIER), ou écoutez sur 127.0.0.1
cli-doing-reading-token = la lecture du fichier du jeton d'accès
cli-fleet-token-not-file = le fichier du jeton d'accès n'est pas un fichier ordinaire
cli-fleet-token-readable = le fichier du jeton d'accès peut être lu par d'autres utilisateurs ; il n'a pas été utilisé
cli-fleet-token-bad = le fichier du jeton d'accès doit contenir une ligne d'au moins 32 caractères imprimables
cli-fleet-token-advice = créez-le par : umask 077; openssl rand -hex 32 > FICHIER
cli-about-fleet-serve = Une page web en lecture seule du rapport du parc, sur cette machine (docs/FLEET.md)
cli-arg-fleet-serve-listen = Adresse et port d'écoute (bouclage sauf indication contraire)
cli-arg-fleet-serve-token-file = Un fichier (mode 0600) contenant le jeton d'accès que la page demande ; obligatoire quand --listen n'est pas une adresse de bouclage
