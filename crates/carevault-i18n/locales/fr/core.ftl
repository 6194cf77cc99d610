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
