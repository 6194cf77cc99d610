# carevault : messages des copies hors site (fr).

## Les réponses du stockage.
offsite-location = le stockage hors site { $endpoint } (bucket { $bucket })
offsite-no-bucket = { $location } : le bucket n'existe pas
offsite-no-bucket-advice = vérifiez endpoint et bucket de [offsite] dans carevault.toml, ou demandez à l'administrateur du bucket de le créer (docs/OFFSITE.md)
offsite-key-refused = { $location } n'accepte pas la clé hors site de cette tablette ({ $detail })
offsite-key-refused-advice = comparez private/offsite-credentials (clé d'accès, puis clé secrète) avec ce que l'administrateur du bucket a fourni
offsite-request-refused = { $location } a refusé { $what } de { $key } ({ $detail })
offsite-request-refused-advice = vérifiez la clé hors site de la tablette et la politique du bucket (docs/OFFSITE.md) : la clé ne peut déposer des objets que sous le préfixe de cette tablette
offsite-no-object = { $location } n'a pas { $key } ({ $detail })
offsite-no-object-advice = vérifiez le bucket et le préfixe dans carevault.toml, ou lancez `carevault offsite list`
offsite-already-holds = { $location } contient déjà { $key } ; il a été laissé tel quel
offsite-already-holds-advice = rien n'est jamais écrasé : si l'objet enregistré est un autre fichier, cherchez d'où il vient avant que quiconque le supprime
offsite-answered = { $location } a répondu { $detail } pour { $what } de { $key }
offsite-answered-advice = rien n'a été marqué hors site ; relancez la commande plus tard (les envois reprennent là où ils se sont arrêtés)
offsite-unreachable = { $location } n'a pas pu être joint pour { $what } de { $key } : { $error }
offsite-unreachable-advice = rien n'a été marqué hors site ; vérifiez le réseau et relancez la commande (les envois reprennent là où ils se sont arrêtés)
offsite-endpoint-not-url = l'endpoint hors site n'est pas une URL : { $error }
offsite-endpoint-not-url-advice = corrigez endpoint de [offsite] dans carevault.toml
offsite-bucket-not-url = l'endpoint et le bucket hors site ne forment pas une URL : { $error }
offsite-bucket-not-url-advice = corrigez endpoint et bucket de [offsite] dans carevault.toml
offsite-doing-opening-upload = l'ouverture de la sauvegarde à envoyer
offsite-doing-reading-upload = la lecture de la sauvegarde à envoyer
offsite-request-not-built = une requête n'a pas pu être construite : { $error }
offsite-bad-digest = { $location } a refusé { $what } de { $key } : les données sont arrivées endommagées (BadDigest) à chaque essai
offsite-bad-digest-advice = rien n'a été marqué hors site ; vérifiez le chemin réseau (un proxy ou une liaison qui altère les données) et relancez la commande
offsite-kept-refusing = { $location } a refusé à chaque essai { $what } de { $key } ({ $detail })
offsite-kept-refusing-advice = rien n'a été marqué hors site ; vérifiez l'horloge de la tablette et le réseau, puis relancez la commande
offsite-never-tried = une requête n'a jamais été essayée

## Ce que faisait une requête (« { $location } a refusé QUOI de CLÉ »).
offsite-what-upload = l'envoi
offsite-what-starting-upload = le début d'un envoi
offsite-what-listing-parts = la liste des parties
offsite-what-uploading-part = l'envoi d'une partie
offsite-what-finishing-upload = la fin d'un envoi
offsite-what-abandoning-upload = l'abandon d'un envoi
offsite-what-reading-details = la lecture des détails
offsite-what-reading = la lecture
offsite-what-listing = la liste
offsite-what-listing-uploads = la liste des envois inachevés
offsite-what-reading-setting = la lecture du réglage
offsite-what-download = le téléchargement
offsite-what-deleting = la suppression

## Les envois.
offsite-damaged-kept = { $location } a refusé l'envoi de { $key }, endommagé en route (BadDigest), mais a gardé les données endommagées sous ce nom ; rien n'a été marqué hors site
offsite-damaged-object-advice = vérifiez le chemin réseau (un proxy ou une liaison qui altère les données) ; puis demandez à l'administrateur du bucket de supprimer cet objet (la clé de cette tablette ne peut pas supprimer) et relancez l'envoi
offsite-changed-during-upload = le fichier de sauvegarde a changé pendant son envoi
offsite-changed-during-upload-advice = relancez l'envoi ; un fichier de sauvegarde ne doit pas changer après son écriture
offsite-not-listed-after = { $location } ne liste pas { $key } après l'envoi
offsite-run-again-advice = rien n'a été marqué hors site ; relancez la commande
offsite-holds-other = { $location } contient { $key } avec { $size } octets et l'ETag { $etag }, pas cette sauvegarde ({ $our_size } octets, ETag { $our_etag }) ; il a été laissé tel quel
offsite-holds-other-advice = rien n'est jamais écrasé : cherchez d'où vient l'objet enregistré avant que quiconque le supprime
offsite-stored-wrong-md5 = { $location } a enregistré { $key } avec l'ETag { $got }, pas le MD5 des données envoyées ({ $want }) : les données ont été endommagées en route ; rien n'a été marqué hors site
offsite-doing-reading-size = la lecture de la taille de la sauvegarde
offsite-too-many-parts = la sauvegarde est trop grande pour { $parts } parties de { $part_size } octets
offsite-too-many-parts-advice = augmentez part_size_mib de [offsite] dans carevault.toml
offsite-kept-losing = { $location } a perdu l'envoi de { $key } à chaque fois
offsite-kept-losing-advice = rien n'a été marqué hors site ; relancez la commande plus tard
offsite-no-upload-id = { $location } a commencé un envoi de { $key } sans identifiant d'envoi
offsite-part-wrong-md5 = { $location } a enregistré trois fois la partie { $part } de { $key } avec l'ETag { $etag }, pas le MD5 des données envoyées : les données sont endommagées en route ; rien n'a été marqué hors site
offsite-part-wrong-md5-advice = vérifiez le chemin réseau (un proxy ou une liaison qui altère les données), puis relancez la commande
offsite-not-finished = { $location } n'a pas pu terminer l'envoi de { $key } ({ $code })
offsite-not-finished-advice = rien n'a été marqué hors site ; relancez la commande (l'envoi reprendra)
offsite-finished-wrong-etag = { $location } a terminé { $key } avec l'ETag { $got }, pas le { $want } calculé ici

## La lecture du stockage.
offsite-no-size = { $location } n'a pas donné de taille pour { $key }
offsite-object-too-large = { $location } contient un { $key } plus grand que ce qu'écrit carevault
offsite-object-too-large-advice = l'objet n'a pas été écrit par carevault ; demandez à l'administrateur du bucket
offsite-listing-unreadable = { $location } a répondu par une liste illisible : { $error }
offsite-listing-unreadable-advice = relancez la commande ; si cela persiste, l'endpoint n'est peut-être pas un service S3
offsite-listing-token-repeats = { $location } a répondu à la liste de { $key } deux fois par le même jeton de suite ; la liste a été arrêtée, rien n'en est tenu pour complet
offsite-listing-no-new-key = { $location } a répondu à la liste de { $key } par une page qui annonce une suite sans aucune clé après les précédentes ; la liste a été arrêtée, rien n'en est tenu pour complet
offsite-listing-too-many-pages = la liste de { $key } sur { $location } ne s'est pas terminée en { $pages } pages ; elle a été arrêtée, rien n'en est tenu pour complet
offsite-listing-broken-advice = l'endpoint ne liste pas comme S3 ; vérifiez que c'est bien le stockage voulu (un proxy intermédiaire peut modifier les réponses), puis relancez la commande

## Réglages et identifiants d'accès.
offsite-doing-opening-lock = l'ouverture du verrou d'un envoi
offsite-doing-locking = le verrouillage d'un envoi
offsite-push-busy = un autre envoi transfère { $name } en ce moment
offsite-push-busy-advice = attendez qu'il se termine ; puis relancez la commande s'il a échoué
offsite-credentials-advice = écrivez la clé d'accès et la clé secrète dans private/offsite-credentials (deux lignes, mode 0600) ou définissez CAREVAULT_S3_ACCESS_KEY et CAREVAULT_S3_SECRET_KEY (voir docs/OFFSITE.md)
offsite-credentials-bad-line = une ligne du fichier d'identifiants hors site n'est pas de la forme `key = value`
offsite-credentials-unknown-key = le fichier d'identifiants hors site a une clé inconnue { $key } (permises : access_key, secret_key)
offsite-credentials-incomplete = le fichier d'identifiants hors site ne contient pas une clé d'accès et une clé secrète
offsite-credentials-not-a-file = le fichier d'identifiants hors site n'est pas un fichier ordinaire
offsite-credentials-readable = le fichier d'identifiants hors site peut être lu par d'autres utilisateurs ; il n'a pas été utilisé
offsite-credentials-readable-advice = rendez-le lisible par son seul propriétaire (chmod 600 private/offsite-credentials), et demandez une nouvelle clé à l'administrateur du bucket si d'autres ont pu le lire
offsite-doing-reading-credentials = la lecture des identifiants hors site
offsite-credentials-not-text = le fichier d'identifiants hors site n'est pas du texte
offsite-credentials-none = aucun identifiant hors site n'a été trouvé
offsite-not-configured = les copies hors site ne sont pas configurées sur cette tablette
offsite-not-configured-advice = ajoutez une section [offsite] à carevault.toml (voir docs/OFFSITE.md)
offsite-device-not-in-prefix = --device a été donné, mais le préfixe hors site du profil n'a pas de partie {"{"}device{"}"}
offsite-device-not-in-prefix-advice = retirez --device, ou changez prefix de [offsite] dans carevault.toml

## L'envoi d'une sauvegarde.
offsite-push-checked = conteneur, métadonnées lisibles, emplacements de clés, signature de cette tablette
offsite-no-local-backup = il n'y a pas de sauvegarde locale avec l'identifiant { $id }
offsite-no-local-backup-advice = lancez `carevault list` pour voir les sauvegardes et leurs identifiants
offsite-doing-reading-backup = la lecture de la sauvegarde
offsite-doing-opening-backup = l'ouverture de la sauvegarde
offsite-backup-got-shorter = la sauvegarde a raccourci pendant sa lecture
offsite-changed-while-copied = le fichier de sauvegarde a changé pendant sa copie hors site ({ $what }) ; rien n'a été marqué hors site
offsite-changed-while-copied-advice = cherchez ce qui écrit dans ce dossier, puis relancez la commande
offsite-changed-id = il était listé comme { $listed } et se lit maintenant comme { $now }
offsite-not-this-tablet = { $file } n'a pas été signé par cette tablette ({ $trust }), il n'est donc pas copié dans le dossier hors site de cette tablette
offsite-not-this-tablet-advice = ne copiez hors site que les sauvegardes de cette tablette ; une sauvegarde d'ailleurs appartient à la tablette qui l'a faite
offsite-changed-store-other-bytes = le stockage contient d'autres octets que ceux contrôlés
offsite-changed-after-upload = il se lit différemment après l'envoi

## Le téléchargement d'une sauvegarde.
offsite-download-damaged-advice = le téléchargement a été supprimé ; relancez la commande, et si elle échoue encore, utilisez une autre copie de la sauvegarde
offsite-not-an-id = { $id } n'est pas un identifiant de sauvegarde
offsite-not-an-id-advice = utilisez un identifiant que montre `carevault offsite list`
offsite-no-sidecar = le stockage contient { $name } mais pas son fichier d'accompagnement { $name }.json, le téléchargement ne peut donc pas être contrôlé
offsite-no-sidecar-advice = renvoyez-la depuis la tablette qui l'a faite, ou demandez à l'administrateur du bucket
offsite-sidecar-size = le stockage liste { $name } avec { $size } octets, mais son fichier d'accompagnement dit autre chose
offsite-sidecar-size-advice = utilisez une autre copie de la sauvegarde ; cet objet ou son fichier d'accompagnement a été modifié
offsite-doing-creating-download-folder = la création du dossier de téléchargement
offsite-download-exists = { $file } existe déjà ; il a été laissé tel quel
offsite-download-exists-advice = choisissez un autre dossier, ou supprimez le fichier s'il s'agit d'un ancien téléchargement
offsite-doing-reading-download = la lecture du téléchargement
offsite-download-size = le téléchargement fait { $got } octets, pas { $want }
offsite-download-sha256 = le SHA-256 du téléchargement diffère de celui du fichier d'accompagnement
offsite-sidecar-metadata = les métadonnées du fichier d'accompagnement ne peuvent pas être lues : { $error }
offsite-download-metadata = les détails lisibles de la sauvegarde téléchargée diffèrent de ceux du fichier d'accompagnement
offsite-download-metadata-advice = utilisez une autre copie de la sauvegarde
offsite-download-other-backup = le { $name } du stockage contient la sauvegarde { $id }, pas celle demandée
offsite-download-other-backup-advice = utilisez une autre copie de la sauvegarde ; les objets du bucket ont été renommés ou remplacés
offsite-download-unsigned = { $name } ne porte la signature d'aucune tablette, on ne peut donc pas savoir d'où il vient
offsite-download-unsigned-advice = utilisez une sauvegarde qu'une tablette a envoyée elle-même ; un fichier non signé dans le bucket y a été mis autrement
offsite-download-other-signer = { $name } a été signé par la clé { $signer }, qui n'est pas celle de la tablette dont c'est le dossier
offsite-download-other-signer-advice = utilisez une sauvegarde du dossier de cette tablette ; celle-ci y a été mise par quelqu'un d'autre
offsite-doing-naming-download = le nommage du téléchargement

## Le contrôle des réglages d'un bucket.
offsite-setting-refused = le stockage a refusé de montrer le réglage { $setting } du bucket ({ $detail })
offsite-setting-refused-advice = lancez check-bucket avec la clé de l'administrateur du bucket (il faut s3:GetBucketVersioning, s3:GetBucketObjectLockConfiguration et s3:GetLifecycleConfiguration)
offsite-bucket-missing = le bucket n'existe pas
offsite-bucket-missing-advice = vérifiez l'endpoint et le nom du bucket
offsite-setting-answered = le stockage a répondu à la demande du réglage { $setting } du bucket par { $detail }
offsite-setting-answered-advice = relancez la commande plus tard ; si cela persiste, vérifiez l'endpoint
offsite-missing-versioning-unsupported = versionnage : ce stockage ne le prend pas en charge
offsite-missing-versioning = le versionnage n'est pas activé
offsite-missing-lock-unsupported = verrouillage d'objets : ce stockage ne le prend pas en charge
offsite-missing-lock-mode = la rétention par défaut du verrouillage d'objets est en mode { $mode }, pas COMPLIANCE
offsite-missing-lock-retention = le verrouillage d'objets n'a pas de rétention par défaut
offsite-missing-lock = le verrouillage d'objets n'est pas activé
offsite-missing-lifecycle-unsupported = règles de cycle de vie : ce stockage ne les prend pas en charge
offsite-missing-abort-rule = aucune règle de cycle de vie n'interrompt les envois multipart inachevés
offsite-missing-expire-rule = aucune règle de cycle de vie ne fait expirer les versions non actuelles

## La lecture de la flotte.
offsite-fleet-store-advice = donnez --store s3://BUCKET/PREFIX/ (par exemple s3://moh-carevault/tablets/), voir docs/FLEET.md
offsite-fleet-not-s3-url = le stockage n'est pas une URL s3://
offsite-fleet-bad-prefix = le préfixe du stockage doit être fait de parties de lettres, chiffres, « . », « _ » et « - » séparées par « / »
offsite-fleet-bad-line = une ligne n'est pas de la forme `key = value`
offsite-fleet-unknown-key = clé inconnue { $key } (permises : endpoint, region, access_key, secret_key, path_style)
offsite-fleet-no-keys = il n'a ni access_key ni secret_key
offsite-fleet-no-credentials = aucun identifiant de lecture pour le stockage
offsite-fleet-no-credentials-advice = donnez --config FILE (mode 0600) ou définissez CAREVAULT_S3_ACCESS_KEY et CAREVAULT_S3_SECRET_KEY (docs/FLEET.md)
offsite-fleet-no-endpoint = aucun endpoint pour le stockage
offsite-fleet-no-endpoint-advice = mettez `endpoint = https://...` dans le fichier --config ou définissez CAREVAULT_S3_ENDPOINT (docs/FLEET.md)
offsite-fleet-settings-unusable = le fichier de réglages du stockage est inutilisable : { $why }
offsite-fleet-settings-unusable-advice = écrivez les lignes `endpoint`, `region`, `access_key` et `secret_key` (docs/FLEET.md), mode 0600
offsite-doing-reading-store-settings = la lecture des réglages du stockage
offsite-fleet-not-a-file = ce n'est pas un fichier ordinaire
offsite-fleet-settings-readable = le fichier de réglages du stockage peut être lu par d'autres utilisateurs ; il n'a pas été utilisé
offsite-fleet-settings-readable-advice = rendez-le lisible par son seul propriétaire (chmod 600), et faites remplacer la clé si d'autres ont pu le lire
offsite-fleet-no-file = il n'existe pas
offsite-fleet-not-text = ce n'est pas du texte
offsite-fleet-index-unusable = l'index de la flotte est inutilisable : { $error }
offsite-fleet-index-unusable-advice = vérifiez le fichier --index (un autre `carevault fleet` est peut-être en cours) ; supprimez-le pour le reconstruire depuis le bucket
offsite-fleet-reader-failed = un fil de lecture a échoué
offsite-fleet-head-behind = { $key } porte la tête d'audit { $seq } après un événement antérieur qui portait { $before }
offsite-fleet-head-other-hash = { $key } porte la tête d'audit { $seq } après un événement antérieur qui portait { $before } avec une autre empreinte
offsite-fleet-head-removed = { $key } ne porte aucune tête d'audit alors que des événements antérieurs en portaient une (le journal a été supprimé)
offsite-fleet-risk-no-copy = aucune copie hors site
offsite-fleet-risk-old-copy = la copie hors site la plus récente date de { $age } jours (règle : { $days } jours)
offsite-fleet-risk-unfinished = { $count } envoi(s) non terminé(s) (pas d'événement d'état ou pas de fichier d'accompagnement) : { $list }
offsite-fleet-risk-shrinking = les sauvegardes rétrécissent : la plus récente est { $percent } % plus petite que la plus grande des { $count } précédentes
offsite-fleet-risk-anchor = l'ancre d'audit a reculé : { $detail }
offsite-fleet-risk-problems = { $count } objet(s) illisible(s)

## L'auditeur de la flotte.
offsite-audit-sidecar-unreadable = son fichier d'accompagnement ne peut pas être lu : { $error }
offsite-audit-sidecar-unusable = son fichier d'accompagnement est inutilisable : { $why }
offsite-audit-size = le stockage liste { $listed } octets, son fichier d'accompagnement en annonce { $sidecar }
offsite-audit-download-failed = il n'a pas pu être téléchargé : { $error }
offsite-audit-download-unreadable = le téléchargement ne peut pas être lu : { $error }
offsite-audit-sha256 = son SHA-256 diffère de celui de son fichier d'accompagnement : l'objet est endommagé
offsite-audit-checks-fail = les contrôles propres du fichier échouent : { $error }
offsite-audit-other-backup = ses détails lisibles désignent une autre sauvegarde que son fichier d'accompagnement
offsite-audit-other-signer = sa signature ({ $signature }) n'est pas celle que nomme son fichier d'accompagnement ({ $sidecar })
offsite-audit-unsigned = non signé
offsite-doing-making-audit-folder = la création du dossier de téléchargement de l'auditeur
