# carevault: core messages (fr).

## error.rs: the shorthands every part uses.
# `what` of core-io-*: in English a phrase such as "reading the backup file";
# in French a noun phrase with its article, "la lecture du fichier de
# sauvegarde" (it follows "pendant" and "terminer").
core-io-disk-full = le stockage est plein pendant { $what }
core-io-disk-full-advice = libérez de l'espace sur ce stockage (supprimez d'anciens fichiers ou des copies de sécurité) puis relancez la commande
core-io-permission = permission refusée pendant { $what }
core-io-permission-advice = vérifiez que l'utilisateur qui lance carevault peut écrire dans ce dossier et qu'il n'est pas monté en lecture seule
core-io-failed = le système n'a pas pu terminer { $what } : { $err }
core-io-failed-advice = vérifiez que le stockage est présent et en bon état, puis relancez la commande
core-internal-advice = c'est une erreur de carevault ; gardez le fichier de sauvegarde et signalez ce message
core-corrupted = le fichier de sauvegarde est endommagé : { $what }
core-corrupted-advice = cette copie n'est pas fiable ; utilisez une autre copie de la sauvegarde (par exemple celle du support External)
core-truncated = le fichier de sauvegarde est incomplet : { $what }
core-truncated-advice = le fichier a été coupé (copie interrompue ou stockage plein) ; copiez-le à nouveau depuis sa source ou utilisez une autre sauvegarde
core-unsafe-archive = la sauvegarde contient un élément refusé : { $what }
core-unsafe-archive-advice = ce fichier n'a pas été écrit par carevault ou a été modifié ; ne le restaurez pas et signalez sa provenance

## archive/keys.rs: key slots, recovery keys, age.
core-key-slot-invalid = l'emplacement de clé ne contient pas de clé de sauvegarde valide
core-recipient-invalid = { $key } n'est pas une clé publique de récupération valide : { $err }
core-recipient-invalid-advice = donnez la clé publique affichée par `carevault keygen` (elle commence par age1)
core-identity-file-invalid = le fichier de clé de récupération ne contient aucune clé secrète valide
core-identity-file-invalid-advice = donnez le fichier écrit par `carevault keygen` (il contient une ligne qui commence par AGE-SECRET-KEY-1)
core-age-encrypt-failed = age n'a pas pu chiffrer : { $err }
core-sealed-auth-failed = une partie chiffrée échoue à l'authentification ({ $err })
core-sealed-too-large = une partie chiffrée dépasse la taille autorisée
core-no-passphrase-slot = cette sauvegarde n'a pas d'emplacement pour une phrase secrète
core-advice-recovery-key-only = déverrouillez-la avec la clé de récupération pour laquelle elle a été faite (--identity FILE)
core-no-recovery-slot = cette sauvegarde n'a été faite avec aucune clé de récupération
core-no-recovery-slot-advice = déverrouillez-la avec sa phrase secrète
core-advice-wrong-passphrase-only = vérifiez la phrase secrète (majuscules, espaces) ; cette sauvegarde a été faite sans clé de récupération, seule sa phrase secrète l'ouvre
core-key-slot-not-text = l'emplacement de clé ne contient pas de texte
core-wrong-key = la phrase secrète ou la clé de récupération ne déverrouille pas cette sauvegarde
core-advice-wrong-passphrase = vérifiez la phrase secrète (majuscules, espaces) ou utilisez la clé de récupération de l'établissement avec --identity FILE
core-work-factor-too-high = la sauvegarde demande un facteur de travail { $required } pour la phrase secrète, au-delà de la limite acceptée par cette tablette
core-work-factor-too-high-advice = ce fichier n'a pas été écrit avec les réglages de carevault ; ouvrez-le sur un ordinateur avec `age -d` si vous avez confiance en sa provenance
core-age-header-mac = un en-tête de chiffrement échoue à sa vérification d'authenticité
core-age-header-invalid = un en-tête de chiffrement est illisible
core-age-unknown-format = une partie chiffrée utilise une version du format age que ce carevault ne connaît pas
core-update-carevault-advice = mettez carevault à jour vers une version plus récente
core-age-read-failed = une partie chiffrée est illisible ({ $err })
core-age-open-failed = une partie chiffrée ne peut pas être ouverte ({ $err })

## archive/reader.rs: reading a backup file back.
core-doing-reading-backup = la lecture du fichier de sauvegarde
core-doing-reading-the-backup = la lecture de la sauvegarde
core-doing-opening-backup = l'ouverture du fichier de sauvegarde
core-doing-reading-backup-size = la lecture de la taille du fichier de sauvegarde
core-age-header-too-long = un en-tête de chiffrement est plus long que ceux qu'écrit carevault
core-ends-inside-header = il se termine à l'octet { $file_len }, au milieu d'un en-tête commençant à l'octet { $at }
core-file-empty = le fichier est vide
core-file-too-short = il ne fait que { $file_len } octets
core-end-marker-damaged = le marqueur de fin d'archive est endommagé
core-too-many-parts = le conteneur a plus de parties que n'en écrit carevault
core-part-beyond-end = il fait { $file_len } octets, mais sa partie { $part } va jusqu'à l'octet { $end }
core-bytes-after-end = { $count } octets inattendus suivent la fin de la sauvegarde
core-missing-parts = il manque des parties au conteneur
core-parts-out-of-order = les parties du conteneur ne sont pas dans l'ordre de carevault
core-part-too-large = une partie du conteneur dépasse la taille autorisée
core-padding-damaged = le remplissage après une partie du conteneur est endommagé
core-backup-not-found = le fichier de sauvegarde n'existe pas
core-backup-not-found-advice = vérifiez le nom du fichier, ou lancez `carevault list` pour voir les sauvegardes
core-details-payload-mismatch = les informations lisibles ne correspondent pas au contenu enregistré dans le fichier
core-tampered-advice = utilisez une autre copie de la sauvegarde ; celle-ci a été modifiée après son écriture
core-slots-mismatch = les emplacements de clé ne correspondent pas aux informations lisibles
core-slot-damaged = l'emplacement de clé { $name } est endommagé
core-need-key = cette sauvegarde est chiffrée et aucune phrase secrète ni clé de récupération n'a été donnée
core-advice-need-key = donnez la phrase secrète (saisie, --passphrase-file ou CAREVAULT_PASSPHRASE) ou une clé de récupération (--identity FILE)
core-payload-sum-too-large = l'entrée de somme de contrôle du contenu est trop grande
core-payload-sum-mismatch = le contenu ne correspond pas à sa somme de contrôle enregistrée
core-pax-too-large = un en-tête étendu dépasse la taille autorisée
core-entry-name-too-long = un nom d'élément est trop long
core-entry-name-not-utf8 = un nom d'élément n'est pas du texte UTF-8 valide
core-entry-not-regular = { $name } est un élément de type { $kind } ; seuls les fichiers ordinaires sont acceptés
core-entry-twice = { $name } apparaît deux fois
core-sealed-copy-differs = le { $name } scellé diffère de la copie hors du contenu
core-entry-not-listed = { $name } ne figure pas dans le manifeste
core-entry-size-mismatch = { $name } annonce { $size } octets, le manifeste en indique { $listed }
core-entry-sum-mismatch = { $name } ne correspond pas à sa somme de contrôle
core-no-sealed-manifest = le contenu se termine sans son manifeste scellé
core-entry-missing = { $name } figure dans le manifeste mais est absent
core-data-after-payload = des données inattendues suivent la fin du contenu
core-part-header-damaged = l'en-tête d'une partie chiffrée est endommagé (la phrase secrète était juste)
core-pax-unreadable = un en-tête étendu est illisible
core-pax-changes-entry = un en-tête étendu modifie la taille ou le type d'un élément, ce que carevault n'accepte pas
core-payload-ends-early = le contenu se termine avant sa dernière partie
core-payload-fails-checks = le contenu échoue à ses vérifications ({ $err })

## archive/writer.rs: writing a backup file.
core-doing-writing-backup = l'écriture du fichier de sauvegarde
core-write-failed = l'écriture de la sauvegarde a échoué : { $err }
core-write-failed-advice = vérifiez le stockage de destination et le dossier des données, puis relancez la sauvegarde
core-head-length-changed = l'en-tête du conteneur changerait de longueur ({ $before } à { $after } octets)
core-doing-opening-file-to-back-up = l'ouverture d'un fichier à sauvegarder
core-file-shrank = un fichier a rétréci pendant sa sauvegarde
core-file-shrank-advice = relancez la sauvegarde quand l'application ne réécrit pas ce fichier
core-entry-length-differs = { $name } faisait { $count } octets, { $announced } étaient annoncés
core-db-path-unstorable = le chemin de base de données { $path } ne peut pas être enregistré : { $err }
core-db-path-unstorable-advice = renommez la base de données avec un nom relatif simple

core-db-check-stopped = la vérification de la base de données de la sauvegarde s'est arrêtée de façon inattendue

## format/container.rs: the outer tar container.
core-tar-name-failed = nom tar { $name } : { $err }
core-tar-owner-failed = propriétaire tar de { $name } : { $err }
core-header-checksum = un en-tête du conteneur échoue à sa somme de contrôle
core-container-not-regular = le conteneur contient un élément qui n'est pas un fichier ordinaire
core-container-name-foreign = un nom d'élément du conteneur n'est pas de ceux qu'écrit carevault
core-container-name-not-text = un nom d'élément du conteneur n'est pas du texte valide
core-container-size-unreadable = un élément du conteneur a une taille illisible
core-not-a-backup = ce fichier n'est pas une sauvegarde carevault
core-not-a-backup-advice = choisissez un fichier .bin écrit par carevault

## format/manifest.rs: the list of contents.
core-manifest-unreadable = le manifeste contenu dans la sauvegarde est illisible
core-manifest-too-many-entries = le manifeste liste { $count } éléments (au plus { $max } sont acceptés)
core-manifest-file-and-folder = { $path } figure à la fois comme fichier et comme dossier
core-manifest-side-file = { $path } serait le fichier annexe SQLite de { $base }, qu'une restauration ne doit pas placer à côté
core-manifest-twice = le manifeste liste { $path } deux fois
core-manifest-rows-exceed-size = le manifeste annonce { $rows } lignes dans { $size } octets de { $path }
core-manifest-bad-checksum = le manifeste a une somme de contrôle invalide pour { $path } (pas 64 chiffres hexadécimaux)
core-manifest-too-much-data = le manifeste annonce { $size } octets de données (au plus { $max } sont acceptés)
core-data-unstorable = ces données ne peuvent pas tenir dans une seule sauvegarde : { $what } ; rien n'a été écrit
core-data-unstorable-advice = divisez le dossier des données ou retirez ce qui n'est pas des données de la clinique, puis relancez la sauvegarde
core-data-too-many-files = { $count } fichiers (au plus { $max })
core-data-too-many-bytes = { $size } octets (au plus { $max })
core-data-list-too-long = une liste du contenu de plus de { $max } octets
core-path-refused = { $path } : { $why }
core-path-too-long = chemin trop long
core-path-outside-data = hors du dossier des données
core-path-control-char = caractère de contrôle ou barre oblique inverse dans le nom
core-path-dot-component = élément de chemin vide, '.' ou '..'
core-path-component-too-long = un nom de plus de 255 octets
core-sealed-mismatch = les informations lisibles de la sauvegarde (libellé, date, auteur...) ne correspondent pas à la copie scellée qu'elle contient
core-sealed-mismatch-advice = le fichier a été modifié après son écriture ; fiez-vous aux informations scellées affichées par `carevault show` et notez la provenance de cette copie

## format/metadata.rs: the readable details.
core-details-too-large = les informations lisibles sont trop grandes
core-details-version-mismatch = les informations lisibles de la sauvegarde sont endommagées : leur version de format ne correspond pas à celle du fichier
core-details-invalid = les informations lisibles de la sauvegarde sont invalides : { $what }
core-field-backup-id = identifiant de sauvegarde
core-field-label = libellé
core-field-timestamp = date et heure
core-field-payload-name = nom du contenu
core-field-key-slots = emplacements de clé
core-field-key-slot = emplacement de clé
core-field-recovery-without-slot = clés de récupération sans emplacement de récupération
core-details-damaged = les informations lisibles de la sauvegarde sont endommagées ou ont été modifiées
core-newer-version = cette sauvegarde utilise la version de format { $version }, et ce carevault lit les versions jusqu'à { $newest }
core-newer-version-advice = mettez carevault à jour vers une version plus récente pour ouvrir cette sauvegarde

## format/origin.rs: the signed origin record.
core-origin-too-large = l'enregistrement d'origine de la sauvegarde est trop grand
core-origin-damaged = l'enregistrement d'origine de la sauvegarde est endommagé
core-newer-minor = cette sauvegarde utilise la version de format 1.{ $minor }, et ce carevault lit les versions jusqu'à 1.{ $newest }
core-origin-mismatch = l'origine signée de la sauvegarde ne correspond pas : { $what }
core-origin-mismatch-advice = utilisez une autre copie de la sauvegarde ; celle-ci a été modifiée après sa signature

## store/: folders and other stores of backup files, downloads.
core-doing-reading-download-size = la lecture de la taille du téléchargement
core-download-no-space = pas assez d'espace libre pour le téléchargement : il faut { $need }, il reste { $have }
core-download-no-space-advice = libérez de l'espace à cet endroit ou téléchargez vers un autre stockage
core-partial-larger = le téléchargement partiel est plus grand ({ $have } octets) que l'objet ({ $size } octets)
core-partial-larger-advice = supprimez le téléchargement partiel et relancez la commande
core-stored-object-ended = l'objet enregistré { $name } s'est arrêté à { $have } octets sur { $size }
core-doing-writing-download = l'écriture du téléchargement
core-doing-syncing-download = la synchronisation du téléchargement sur le disque
core-doing-opening-download = l'ouverture du téléchargement
core-doing-reading-download-details = la lecture des détails du téléchargement
core-partial-name-taken = le nom du téléchargement partiel est pris par autre chose qu'un fichier de ce téléchargement (un lien, un périphérique ou un fichier d'un autre utilisateur)
core-partial-name-taken-advice = retirez ce fichier du dossier et relancez la commande
core-doing-making-download-private = la protection du téléchargement
core-store-name-invalid = { $name } n'est pas un nom sous lequel une sauvegarde peut être enregistrée
core-store-name-invalid-advice = utilisez le nom de fichier de la sauvegarde tel que `carevault list` l'affiche
core-store-not-found = { $store } ne contient aucune sauvegarde nommée { $name }
core-store-not-found-advice = lancez `carevault list` (ou `carevault offsite list`) pour voir ce qui s'y trouve
core-store-exists = { $store } contient déjà une sauvegarde nommée { $name } ; elle a été laissée telle quelle
core-store-exists-advice = rien n'est jamais écrasé : si celle qui est enregistrée est un autre fichier, cherchez d'où elle vient avant de la supprimer

core-store-subfolder = { $name } désigne un fichier dans un sous-dossier ; un dossier de sauvegardes ne contient que ses propres fichiers
core-store-subfolder-advice = donnez le nom de fichier de la sauvegarde
core-doing-listing-folder = la lecture de la liste d'un dossier de sauvegardes
core-doing-opening-a-backup = l'ouverture d'une sauvegarde
core-doing-reading-a-backup = la lecture d'une sauvegarde
core-doing-opening-backup-to-copy = l'ouverture de la sauvegarde à copier
core-store-no-space = { $store } n'a pas assez d'espace libre pour la sauvegarde (il faut { $need })
core-store-no-space-advice = libérez de l'espace à cet endroit ou choisissez un autre stockage
core-doing-reading-backup-to-copy = la lecture de la sauvegarde à copier
core-doing-writing-copy = l'écriture de la copie
core-doing-deleting-backup = la suppression de la sauvegarde

## fsutil.rs: private folders, temporary files, final names.
core-doing-creating-private-folder = la création d'un dossier privé
core-doing-inspecting-folder = l'examen d'un dossier
core-private-folder-not-folder = un dossier privé de carevault n'est pas un vrai dossier (c'est un lien ou un fichier)
core-private-folder-not-folder-advice = supprimez-le ; carevault recrée lui-même le dossier au prochain lancement
core-doing-making-folder-private = la protection d'un dossier
core-doing-writing-own-file = l'écriture d'un fichier de carevault
core-doing-creating-own-file = la création d'un fichier de carevault
core-doing-opening-folder-to-flush = l'ouverture d'un dossier pour l'écrire sur le stockage
core-doing-flushing-folder = l'écriture d'un dossier sur le stockage
core-doing-creating-temp-file = la création d'un fichier temporaire
core-doing-locking-temp-file = le verrouillage d'un fichier temporaire
core-backup-name-taken = un fichier portant le nom de la sauvegarde existe déjà
core-backup-name-taken-advice = relancez la commande : une nouvelle sauvegarde reçoit un nouveau nom
core-doing-flushing-file = l'écriture du fichier sur le stockage
core-file-name-taken = un fichier de ce nom existe déjà ; il a été laissé tel quel
core-file-name-taken-advice = rien n'est jamais écrasé : cherchez d'où vient le fichier existant
core-doing-naming-file = l'attribution de son nom définitif au fichier
core-doing-flushing-backup = l'écriture du fichier de sauvegarde sur le stockage
core-doing-naming-backup = l'attribution de son nom définitif à la sauvegarde
core-doing-measuring-free-space = la mesure de l'espace libre

## snapshot.rs: consistent snapshots of the databases.
core-sql-failed = impossible de lire la base de données pendant { $what } : { $err }
core-sql-failed-advice = vérifiez que le fichier de base de données est lisible et non endommagé (lancez les vérifications de l'application), puis réessayez
core-sql-doing-opening = son ouverture
core-sql-doing-configuring = sa configuration
core-doing-taking-write-barrier = la prise de la barrière d'écriture
core-sql-doing-starting-snapshot = le début de l'instantané
core-sql-doing-pinning-snapshot = la fixation de l'instantané
core-sql-doing-reading-page-size = la lecture de sa taille de page
core-sql-doing-reading-size = la lecture de sa taille
core-sql-doing-reading-journal-mode = la lecture de son mode de journal
core-sql-doing-counting-rows = le comptage des lignes
core-sql-doing-reading-dbpage = la lecture de ses pages (sqlite_dbpage)
core-sql-doing-reading-pages = la lecture de ses pages
core-page-out-of-order = la page { $page } de { $name } est arrivée dans le désordre ou avec une mauvaise taille
core-page-count-differs = { $name } a donné { $got } pages, l'instantané en a { $want }
core-doing-creating-scratch = la création du dossier de travail des instantanés
core-sql-doing-copying-snapshot = la copie de son instantané
core-doing-reading-snapshot-copy = la lecture de la copie de l'instantané
core-snapshot-copy-size = la copie de l'instantané de { $name } fait { $len } octets au lieu de { $want }

## verify.rs: reading a new backup back before keeping it.
core-readback-details-differ = les informations lisibles relues diffèrent de celles qui ont été écrites
core-readback-slot-not-scrypt = l'emplacement de phrase secrète relu n'est pas un fichier chiffré par phrase secrète
core-readback-failed = la sauvegarde a été écrite, mais sa relecture a échoué aux vérifications ({ $reason }) ; elle n'a pas été gardée
core-readback-failed-advice = relancez la sauvegarde ; si elle échoue encore, vérifiez le stockage (carte SD ou clé USB défaillante) et signalez le message

## layout.rs: the app's home folder.
core-home-advice = donnez le dossier de l'application avec --home DIR (ou CAREVAULT_HOME) : le dossier qui contient data/, private/ et carevault.toml
core-home-is-file = le dossier de l'application est un fichier, pas un dossier
core-home-missing = le dossier de l'application n'existe pas
core-doing-opening-home = l'ouverture du dossier de l'application
core-home-no-users = le dossier de l'application n'a encore aucun utilisateur (il n'y a pas de data/users.db), personne ne peut donc s'y connecter
core-home-no-users-advice = vérifiez --home ; sur une nouvelle installation, restaurez une sauvegarde (la première restauration ne demande pas de connexion) ou ajoutez le premier utilisateur avec `carevault users add`

core-doing-checking-sync-lock = la vérification du verrou de synchronisation

## appconfig.rs: the app's own settings file.
core-doing-reading-app-settings = la lecture des réglages de l'application
core-app-settings-invalid = le fichier de réglages de l'application est illisible : { $err }
core-app-settings-invalid-advice = corrigez le fichier (il est au format TOML, avec realm, sync_endpoint, facility, device_name)

## media.rs: where backups go (Private, Public, External).
core-media-fallback-note = Aucune carte SD ni clé USB n'est branchée : sauvegarde enregistrée dans le dossier Documents, comme le décrit le guide.
core-media-profile-advice = corrigez la section [media] de carevault.toml (voir docs/PROFILE.md)
core-medium-private-storage = le stockage Private
core-medium-public-storage = le stockage Public (le dossier Documents)
core-medium-external-storage = le stockage External (carte SD ou clé USB)
core-medium-unknown = « { $name } » n'est pas un support de stockage
core-medium-unknown-advice = choisissez private, public ou external (ou donnez le chemin d'un dossier)
core-media-empty-public = le profil indique un dossier Public vide (media.public)
core-media-empty-pattern = le profil contient un motif vide dans media.external_roots
# "Private" is the medium's name, also a command argument.
# same in French
core-place-private = Private
# The folder's name.
# same in French
core-place-documents = Documents
core-place-downloads = Téléchargements
core-place-removable = Clé USB ou carte SD
core-found-in-private = le stockage privé de cette tablette
# same in French
core-found-in-place = { $place } ({ $dir })
# same in French
core-found-in-folder = { $dir }
core-media-fallback-refused = La carte SD ou clé USB montée sur { $mounts } n'accepte pas l'écriture (elle est peut-être verrouillée, en lecture seule ou pleine) : sauvegarde enregistrée dans le dossier Documents à la place.
core-policy-advice-none = donnez une phrase secrète (la règle de l'établissement impose le chiffrement sur tous les supports)
core-policy-advice-one = donnez une phrase secrète, ou choisissez { $medium }
core-policy-advice-many = donnez une phrase secrète, ou choisissez { $media } ou { $last }
core-policy-needs-encryption = les sauvegardes sur { $medium } doivent être chiffrées (règle de l'établissement)
core-media-external-at = carte SD ou clé USB montée sur { $mount }
core-media-external-at-also = carte SD ou clé USB montée sur { $mount } ; également branchés, non utilisés : { $rest }
core-media-none-attached = Aucune carte SD ni clé USB n'est branchée : les sauvegardes External vont dans le dossier Documents.
core-media-external-unusable = La carte SD ou clé USB montée sur { $mounts } est inutilisable : les sauvegardes External vont dans le dossier Documents.
core-folder-not-writable = impossible d'écrire dans ce dossier
core-folder-blocked = un élément qui n'est pas un dossier occupe sa place
core-folder-will-be-created = le dossier sera créé par la première sauvegarde
core-folder-cannot-be-created = le dossier n'existe pas et ne peut pas être créé dans { $parent }
core-folder-missing = le dossier n'existe pas
core-mount-not-folder = pas un dossier
core-mount-unreadable = illisible
core-mount-backups-not-folder = son carevault-backups n'est pas un dossier
core-mount-not-writable = n'accepte pas l'écriture

## passphrase.rs: the rule for a new passphrase.
core-pass-rule = au moins { $min } caractères et difficile à deviner (quelques mots sans rapport entre eux conviennent bien)
core-pass-too-short = la nouvelle phrase secrète est trop courte : { $chars } { $chars ->
        [one] caractère
       *[other] caractères
    }, il en faut au moins { $min }
core-pass-too-short-advice = choisissez une phrase secrète d'{ $rule }
core-pass-too-easy = la nouvelle phrase secrète est trop facile à deviner
core-pass-too-easy-because = la nouvelle phrase secrète est trop facile à deviner : { $warning }
core-pass-too-easy-advice = choisissez une autre phrase secrète : { $suggestions }
core-pass-suggestion-list = { $head } ; { $next }
core-pass-add-a-word = ajoutez un ou deux mots
core-pass-warn-straight-rows = les rangées de touches du clavier sont faciles à deviner
core-pass-warn-short-keyboard = les motifs courts sur le clavier sont faciles à deviner
core-pass-warn-repeats-aaa = les répétitions comme « aaa » sont faciles à deviner
core-pass-warn-repeats-abcabc = les répétitions comme « abcabcabc » sont à peine plus difficiles à deviner que « abc »
core-pass-warn-top10 = c'est l'un des 10 mots de passe les plus courants
core-pass-warn-top100 = c'est l'un des 100 mots de passe les plus courants
core-pass-warn-common = c'est un mot de passe très courant
core-pass-warn-similar-common = cela ressemble à un mot de passe très utilisé
core-pass-warn-sequences = les suites comme abc ou 6543 sont faciles à deviner
core-pass-warn-recent-years = les années récentes sont faciles à deviner
core-pass-warn-single-word = un mot seul est facile à deviner
core-pass-warn-dates = les dates sont souvent faciles à deviner
core-pass-warn-names = les prénoms et les noms seuls sont faciles à deviner
core-pass-warn-common-names = les prénoms et noms courants sont faciles à deviner
core-pass-tip-few-words = utilisez quelques mots, évitez les expressions courantes
core-pass-tip-no-symbols = inutile d'ajouter des symboles, des chiffres ou des majuscules
core-pass-tip-another-word = ajoutez un ou deux mots. Les mots peu courants sont préférables
core-pass-tip-capitals = les majuscules n'aident pas beaucoup
core-pass-tip-all-uppercase = tout en majuscules est presque aussi facile à deviner que tout en minuscules
core-pass-tip-reversed = les mots écrits à l'envers ne sont guère plus difficiles à deviner
core-pass-tip-substitutions = les substitutions prévisibles comme « @ » à la place de « a » n'aident pas beaucoup
core-pass-tip-keyboard-turns = utilisez un motif de clavier plus long, avec plus de changements de direction
core-pass-tip-repeats = évitez les mots et caractères répétés
core-pass-tip-sequences = évitez les suites
core-pass-tip-recent-years = évitez les années récentes
core-pass-tip-your-years = évitez les années qui vous sont associées
core-pass-tip-your-dates = évitez les dates et années qui vous sont associées

## clinic_app.rs: how reports name the guide app's tables.
# same in French
core-table-patients = patients
core-table-visits = visites
core-table-immunizations = vaccinations
core-table-outbox = file d'envoi
core-table-sync-log = journal de synchronisation
# same in French
core-table-other = { $label }

## usb_copy.rs: Copy to USB.
core-usb-none-attached = aucune clé USB ni carte SD n'est branchée, rien n'a donc été copié
core-usb-none-attached-advice = branchez une clé USB ou une carte SD (accessible en écriture), puis relancez Copier sur USB
core-usb-not-a-backup-file = ce n'est pas un fichier de sauvegarde
core-usb-not-a-backup-file-advice = choisissez une sauvegarde
core-doing-creating-medium-folder = la création du dossier de sauvegardes sur le support
core-usb-copy-differs = la copie sur la clé USB relue diffère de la sauvegarde, elle a donc été supprimée
core-usb-copy-differs-advice = le support est peut-être défaillant : essayez une autre clé USB ou carte SD
core-doing-reading-copy-back = la relecture de la copie

## Low-level errors of carevault's own, inside an io::Error (error::io_error).
core-io-not-regular-file = ce n'est pas un fichier ordinaire
core-io-file-too-large = le fichier est plus grand que ceux qu'écrit carevault
core-io-source-ended = la source s'est terminée avant la taille annoncée
core-io-reader-stopped = la lecture du contenu s'est arrêtée de façon inattendue
core-io-stream-abandoned = le flux a été abandonné avant sa fin
core-io-writer-stopped = la tâche d'écriture s'est arrêtée
core-io-writer-failed = la tâche d'écriture de la sauvegarde a échoué

core-memory-store = le stockage en mémoire

core-no-outbox-table = elle n'a pas de table outbox
