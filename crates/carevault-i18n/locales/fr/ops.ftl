# carevault: ops messages (fr).

## Restore
ops-restore-file-changed = le fichier a changé après le choix de la sauvegarde { $want } : il contient maintenant la sauvegarde { $got } ; rien n'a été modifié
ops-restore-file-changed-advice = choisissez de nouveau la sauvegarde dans la liste, et vérifiez qui peut écrire dans ce dossier
ops-restore-no-space = pas assez d'espace libre pour restaurer : il faut { $need }, il reste { $have }
ops-restore-no-space-advice = libérez { $missing } sur le stockage de { $home }
ops-restore-not-confirmed = la restauration n'a pas été confirmée : rien n'a été modifié
ops-restore-not-confirmed-advice = relancez-la et répondez oui pour remplacer les données de la clinique (ou ajoutez --yes dans un script)

## Checks of the restored data
ops-check-disk-full = le stockage est plein pendant la vérification des données restaurées ({ $what }) ; rien n'a été modifié
ops-check-disk-full-advice = libérez de l'espace sur le stockage du dossier de l'application et relancez la restauration
ops-check-io = le système n'a pas pu terminer la vérification des données restaurées ({ $what } : { $err }) ; rien n'a été modifié
ops-check-io-advice = vérifiez que le stockage est présent et accessible en écriture, puis relancez la restauration
# same in French
ops-check-sql-failed = { $what } ({ $err })
ops-check-failed = les données restaurées n'ont pas passé leurs vérifications : { $what } ; rien n'a été modifié
ops-check-failed-advice = utilisez une autre sauvegarde ; gardez ce fichier pour analyse
ops-check-integrity-says = integrity_check de { $path } signale : { $problem }
ops-check-not-carevault-form = { $path } n'est pas enregistrée comme carevault enregistre les bases de données (mode rollback-journal, octets 18 et 19 de l'en-tête à 1)
ops-check-row-counts-differ = le nombre de lignes de { $path } ne correspond pas au manifeste
ops-check-db-cannot-open = { $path } ne peut pas être ouverte
ops-check-journal-mode-not-set = le mode de journal de { $path } ne peut pas être défini
ops-check-cannot-open-for-checks = { $path } ne peut pas être ouverte pour ses vérifications ({ $err })
# same in French
ops-check-path = { $path }
ops-check-difference = { $name } : le manifeste de la sauvegarde indique { $expected }, ses données contiennent { $actual }
# same in French
ops-check-difference-list = { $list } ; { $next }
ops-check-differs-from-manifest = les données de la sauvegarde ne correspondent pas à son propre manifeste ({ $diffs }) ; rien n'a été modifié
ops-check-db-cannot-check = { $path } ne peut pas être vérifiée
ops-db-check-stopped = une vérification de base de données s'est arrêtée de façon inattendue ; rien n'a été modifié
ops-db-check-stopped-advice = relancez la restauration ; si cela se reproduit, signalez-le
ops-restore-flush-failed = la sauvegarde a été restaurée, mais l'écriture sur le stockage du dossier de l'application a échoué ({ $problem })
ops-restore-flush-failed-advice = les données restaurées sont en place ; si la tablette perd son alimentation maintenant, la prochaine commande carevault répare l'état
ops-restore-safety-copy-not-filed = la sauvegarde a été restaurée, mais les données remplacées n'ont pas pu être déplacées dans safety-copies ({ $problem }) ; elles sont toujours dans { $dir }
ops-restore-safety-copy-not-filed-advice = rien n'est perdu : la prochaine commande carevault les range comme copie de sécurité
ops-recover-completed = une restauration interrompue a été terminée ; les données qu'elle a remplacées sont gardées dans { $kept }
ops-recover-undone = une restauration interrompue a été annulée ; les données n'ont pas été modifiées ({ $name } supprimé)
ops-restore-users-unreadable = les utilisateurs de la sauvegarde ne peuvent pas être lus : { $err }
ops-restore-users-unreadable-advice = utilisez une autre sauvegarde ; la base des utilisateurs de celle-ci est endommagée
ops-restore-sync-running = une synchronisation est en cours : la restauration n'a pas commencé
ops-restore-sync-running-unsynced = une synchronisation est en cours : la restauration n'a pas commencé ; { $n } enregistrements de la file d'envoi ne sont pas encore synchronisés, et la restauration les effacerait
ops-restore-sync-running-after-wait = une synchronisation est toujours en cours après l'attente : la restauration n'a pas commencé
ops-restore-sync-running-after-wait-unsynced = une synchronisation est toujours en cours après l'attente : la restauration n'a pas commencé ; { $n } enregistrements de la file d'envoi ne sont pas encore synchronisés, et la restauration les effacerait
ops-restore-sync-running-advice = attendez que Système > Synchronisation indique Inactif, puis relancez la restauration (ou utilisez --wait-sync SECONDES)

## Users, logins and roles
ops-login-wrong = le nom d'utilisateur ou le mot de passe est incorrect
ops-login-wrong-advice = vérifiez les deux et réessayez ; un Administrateur système peut réinitialiser un mot de passe avec `carevault users passwd`
ops-auth-may-not = { $user } ({ $role }) n'a pas le droit de { $action }
ops-auth-may-not-advice = demandez à une personne ayant le rôle { $roles } de le faire
ops-first-run-has-data = ce dossier de l'application contient déjà des données de la clinique : une restauration demande une connexion
ops-first-run-has-data-advice = connectez-vous avec --user en tant que Responsable clinique, Infirmier de la clinique ou Administrateur système
ops-first-user-exists = ce dossier de l'application a déjà des utilisateurs
ops-first-user-exists-advice = connectez-vous en tant qu'Administrateur système pour en ajouter d'autres
ops-role-clinical-manager = Responsable clinique
ops-role-clinic-nurse = Infirmier de la clinique
ops-role-system-administrator = Administrateur système
ops-role-clinic-staff = Personnel de la clinique
ops-roles-or = { $list } ou { $next }
ops-roles-none = aucun rôle
ops-action-view = consulter les sauvegardes
ops-action-create = créer des sauvegardes
ops-action-restore = restaurer des sauvegardes
ops-action-delete = supprimer des sauvegardes
ops-action-manage-users = gérer les utilisateurs
ops-action-audit-trail = lire le journal d'audit
ops-action-manage-trust = gérer les clés de signature de confiance
ops-users-db-unreadable = la base des utilisateurs n'a pas pu être lue pendant { $what } : { $err }
ops-users-db-unreadable-advice = vérifiez data/users.db
ops-users-while-opening = son ouverture
ops-users-while-creating = sa création
ops-users-while-checking-session = la vérification d'une session
ops-users-while-checking-login = la vérification d'une connexion
ops-users-while-listing = la liste des utilisateurs
ops-users-while-adding = l'ajout d'un utilisateur
ops-users-while-changing = la modification d'un utilisateur
ops-users-not-a-table = data/users.db n'est pas une base d'utilisateurs que carevault peut lire : ses utilisateurs sont un { $kind }, pas une table
ops-users-not-a-table-advice = restaurez une sauvegarde dont la base des utilisateurs est saine, ou demandez à un Administrateur système de remplacer data/users.db
ops-users-bad-name = un nom d'utilisateur compte de 1 à 64 lettres, chiffres ou . _ - @
ops-users-bad-name-advice = choisissez un autre nom d'utilisateur
ops-users-password-short = le mot de passe fait moins de 8 caractères
ops-users-password-short-advice = choisissez un mot de passe plus long
ops-users-exists = l'utilisateur { $user } existe déjà
ops-users-exists-advice = choisissez un autre nom, ou modifiez son rôle
ops-users-no-such-user = il n'y a pas d'utilisateur { $user }
ops-users-no-such-user-advice = lancez `carevault users list` pour voir les utilisateurs

## Audit trail verification (problems)
ops-audit-log-deleted = le journal d'audit est absent, mais le fichier de tête indique qu'il contenait des entrées jusqu'à seq { $seq } : il a été supprimé
ops-audit-log-missing-head-damaged = le journal d'audit est absent et son fichier de tête est endommagé ({ $why })
ops-audit-entry-hash-mismatch = l'entrée seq { $seq } (ligne { $line }) a été modifiée : son contenu ne correspond plus à son empreinte
ops-audit-entry-rewritten = l'entrée seq { $seq } (ligne { $line }) a été modifiée : la ligne n'est plus exactement celle écrite par carevault (champs ajoutés, répétés ou réordonnés, ou espacement changé)
ops-audit-first-not-start = l'entrée seq 1 (ligne { $line }) ne commence pas le journal : son lien vers une entrée précédente devrait être composé de zéros ; elle a donc été modifiée, ou le début du journal a été remplacé
ops-audit-broken-link = l'entrée seq { $seq } (ligne { $line }) n'est pas liée à l'entrée seq { $prev } qui la précède : l'entrée seq { $prev } a été modifiée ou remplacée après l'écriture de l'entrée seq { $seq }
ops-audit-line-seq = la ligne { $line } (entrée seq { $seq })
ops-audit-line-first = la ligne { $line } (avant toute entrée lisible)
ops-audit-line-after = la ligne { $line } (après l'entrée seq { $prev })
ops-audit-line-incomplete = { $what } est incomplète : le journal s'arrête au milieu d'une entrée (une écriture a été interrompue, ou le fichier a été tronqué)
ops-audit-line-damaged = { $what } est endommagée et ne peut pas être lue comme une entrée d'audit : { $why }
ops-audit-entry-repeated = l'entrée seq { $seq } apparaît { $times } fois dans le journal : des entrées ont été copiées ou rejouées
ops-audit-why-removed-or-damaged = supprimée(s) après écriture, ou illisible(s) dans une ligne endommagée
ops-audit-why-removed = supprimée(s) après écriture
ops-audit-head-missing = le fichier de tête audit.head est absent : on ne peut pas exclure la suppression des dernières entrées (la prochaine entrée ajoutée le réécrit)
ops-audit-head-damaged = le fichier de tête audit.head est endommagé ({ $why }) : on ne peut pas exclure la suppression des dernières entrées
ops-audit-why-head-went-on = le fichier de tête indique que le journal allait jusqu'à seq { $seq }
ops-audit-why-head-last = le fichier de tête indique que la dernière entrée est seq { $seq } : des entrées ont été supprimées ou le fichier a été tronqué
ops-audit-head-mismatch = l'entrée seq { $seq } ne correspond pas au fichier de tête, qui l'a enregistrée comme la dernière entrée ajoutée : elle a été modifiée ou remplacée
ops-audit-log-beyond-head = le fichier de tête indique que la dernière entrée est seq { $seq }, mais le journal va jusqu'à seq { $max } : un ajout a été interrompu avant la fin, ou des entrées ont été ajoutées par d'autres moyens
ops-audit-out-of-place-first = l'entrée seq { $seq } (ligne { $line }) n'est pas à sa place : c'est la première entrée du journal
ops-audit-out-of-place = l'entrée seq { $seq } (ligne { $line }) n'est pas à sa place : elle vient juste après l'entrée seq { $prev }
ops-audit-missing-one = l'entrée seq { $seq } manque dans le journal ({ $why })
ops-audit-missing-one-end = l'entrée seq { $seq } manque à la fin du journal ({ $why })
ops-audit-missing-range = les entrées seq { $from } à seq { $to } manquent dans le journal ({ $why })
ops-audit-missing-range-end = les entrées seq { $from } à seq { $to } manquent à la fin du journal ({ $why })
ops-audit-seq-overflow = le journal d'audit est endommagé : son dernier numéro de séquence est trop grand pour continuer
ops-audit-seq-overflow-advice = gardez les fichiers d'audit comme preuve et signalez-le ; vérifiez le journal pour voir ses problèmes
ops-audit-damaged = le journal d'audit est endommagé : { $what }
ops-audit-damaged-advice = vérifiez le journal d'audit pour voir tous ses problèmes, et laissez les fichiers tels quels : ce sont des preuves
ops-audit-line-unreadable = la ligne { $line } n'est pas un enregistrement d'audit lisible ({ $why })
ops-audit-line-cut = la ligne { $line } est incomplète : le journal s'arrête au milieu d'une entrée

## Signing keys, trust and who may restore
ops-internal-signing = signature de la sauvegarde : { $err }
ops-internal-making-signing-key = création de la clé de signature : { $err }
ops-internal-encoding-signing-key = encodage de la clé de signature : { $err }
ops-internal-signing-key-vanished = la clé de signature a disparu juste après sa création
ops-internal-making-facility-key = création de la clé de l'établissement : { $err }
ops-internal-encoding-facility-key = encodage de la clé de l'établissement : { $err }
ops-internal-reading-facility-key = lecture de la clé de l'établissement : { $err }
ops-internal-certifying = certification de la clé de la tablette : { $err }
ops-internal-signed-already = la sauvegarde est déjà signée
ops-device-key-damaged = le fichier de la clé de signature de cette tablette est endommagé
ops-device-key-damaged-advice = un Administrateur système peut le déplacer : une nouvelle clé est créée à la prochaine sauvegarde (les tablettes qui faisaient confiance à l'ancienne clé devront alors faire confiance à la nouvelle)
ops-facility-key-bad = ce n'est pas un fichier de clé d'établissement créé par `carevault trust facility-key`
ops-facility-key-bad-advice = donnez le fichier de clé secrète que l'établissement garde hors ligne
ops-trust-file-damaged = la liste des clés de signature de confiance est endommagée
ops-trust-file-damaged-advice = un Administrateur système peut la déplacer et ajouter de nouveau les clés avec `carevault trust add`
ops-trust-not-a-key = ce n'est pas une clé publique minisign
ops-trust-not-a-key-advice = donnez la clé qu'une autre tablette affiche dans `carevault trust list` (elle commence par RW), ou son fichier .pub
ops-trust-bad-name = le nom de la clé doit compter de 1 à { $max } caractères de texte simple
ops-trust-bad-name-advice = nommez la tablette à laquelle appartient la clé, par exemple --name "tablette-04"
ops-trust-own-key = c'est la clé de signature de cette tablette, qui est toujours de confiance
ops-trust-own-key-advice = ajoutez les clés des autres tablettes de l'établissement
ops-trust-already = la clé { $key } est déjà de confiance
ops-trust-see-list = voir `carevault trust list`
ops-trust-too-many = { $max } clés de confiance au plus sont possibles
ops-trust-too-many-advice = retirez les clés des tablettes qui ne servent plus avec `carevault trust remove`
ops-trust-no-such-key = aucune clé de confiance n'a l'identifiant ou le nom { $which }
ops-trust-ambiguous = plusieurs clés de confiance s'appellent { $which }
ops-trust-ambiguous-advice = donnez l'identifiant de la clé affiché par `carevault trust list`
ops-trust-level-this-device = cette tablette
ops-trust-level-trusted = de confiance
ops-trust-level-not-trusted = pas de confiance
ops-trust-level-unsigned = non signée
ops-needs-admin-upload = elle a été envoyée par l'Explorateur de sauvegardes
ops-needs-admin-unsigned = elle n'est pas signée (elle a été créée par une ancienne version de carevault)
ops-needs-admin-not-trusted = elle a été signée par une clé à laquelle cette tablette ne fait pas confiance (identifiant de clé { $key })
ops-needs-admin-shared-unencrypted = elle n'est pas chiffrée et a été trouvée sur un stockage partagé, où n'importe qui a pu la modifier
ops-restore-needs-login = ce dossier de l'application contient maintenant des données de la clinique : une restauration demande une connexion
ops-restore-needs-login-advice = connectez-vous avec --user (Responsable clinique, Infirmier de la clinique ou Administrateur système) et relancez
ops-restore-needs-admin = { $user } ({ $role }) n'a pas le droit de restaurer cette sauvegarde à la place des données de la clinique : { $why }
ops-restore-needs-admin-advice = demandez à un Administrateur système de la restaurer (il voit quels seront les utilisateurs et leurs rôles), ou restaurez une sauvegarde signée par cette tablette ou par une clé de confiance
ops-restore-needs-admin-first-run = ce dossier de l'application contient des données de la clinique : restaurer cette sauvegarde demande un Administrateur système, car { $why }
ops-restore-needs-admin-first-run-advice = connectez-vous avec --user en tant qu'Administrateur système

## Profile
ops-profile-unreadable = le profil ne peut pas être lu : { $err }
ops-profile-fix-advice = corrigez carevault.toml (voir docs/PROFILE.md)
ops-profile-invalid = le profil a une valeur non valide : { $what }
ops-profile-invalid-work-factor = encryption.work_factor (valeurs permises : 10 à 20)
ops-profile-invalid-max-work-factor = encryption.max_work_factor (valeurs permises : 10 à 22)
ops-profile-invalid-language = ui.language (valeurs permises : en, fr, ou vide pour la langue de la tablette)
ops-profile-invalid-compression = réglage de compression (niveau 1 à 19, workers 0 à 16)
ops-offsite-profile-bad = la section [offsite] du profil contient { $what }
ops-offsite-profile-bad-advice = corrigez carevault.toml (voir docs/PROFILE.md et docs/OFFSITE.md)
ops-offsite-profile-endpoint-scheme = un endpoint qui n'est pas une URL http:// ou https://
ops-offsite-profile-endpoint-plain = un endpoint qui n'est pas une URL simple (sans nom d'utilisateur, requête ni espaces)
ops-offsite-profile-endpoint-http = un endpoint http:// qui n'est pas sur cette machine (utilisez https://)
ops-offsite-profile-bucket = un nom de bucket non valide (3 à 63 lettres minuscules, chiffres, '-' et '.')
ops-offsite-profile-region = une région non valide
ops-offsite-profile-part-size = un part_size_mib non valide (valeurs permises : 5 à 512)
ops-offsite-profile-prefix = un préfixe non valide { $prefix } : utilisez des parties faites de lettres, chiffres, '.', '_' et '-', chacune terminée par '/', et seulement les variables {"{"}facility{"}"} et {"{"}device{"}"}
ops-offsite-prefix-unsafe-value = le préfixe des clés hors site utilise { $name }, mais sa valeur { $value } n'est pas une partie sûre d'une clé d'objet (lettres, chiffres, '.', '_', '-', 64 au plus)
ops-offsite-prefix-unsafe-value-advice = donnez à [offsite] prefix dans carevault.toml un nom fixe pour cette tablette (voir docs/OFFSITE.md)

## Automatic backups
ops-auto-secret-damaged = le secret de la tablette est endommagé
ops-auto-secret-damaged-advice = déplacez private/device-secret ; un nouveau secret est créé à la prochaine sauvegarde automatique
ops-auto-none-due = la dernière sauvegarde automatique date de { $age } h (intervalle { $interval } h) : aucune n'est due
ops-auto-was-due = la dernière sauvegarde automatique datait de { $age } h (intervalle { $interval } h)
ops-auto-first = il n'y avait encore aucune sauvegarde automatique
ops-internal-listed-without-name = une sauvegarde listée sans nom de fichier

## Passphrase change, restore record, offsite state
ops-rekey-not-encrypted = cette sauvegarde n'est pas chiffrée : elle n'a pas de phrase secrète à changer
ops-rekey-not-encrypted-advice = créez plutôt une nouvelle sauvegarde chiffrée
ops-rekey-no-passphrase-slot = cette sauvegarde n'a pas d'emplacement de phrase secrète
ops-rekey-no-passphrase-slot-advice = elle ne peut être ouverte qu'avec sa clé de récupération
ops-rekey-file-replaced = le fichier de sauvegarde a été remplacé pendant le changement de sa phrase secrète ; rien n'a été modifié
ops-rekey-file-replaced-advice = vérifiez qui peut écrire dans ce dossier, puis changez de nouveau la phrase secrète
ops-internal-recording-restored = enregistrement de la sauvegarde restaurée : { $err }
ops-restored-from-damaged = l'enregistrement de la sauvegarde restaurée est endommagé ({ $err })
ops-restored-from-damaged-advice = supprimez le fichier ; la prochaine restauration l'écrit de nouveau
ops-offsite-state-unreadable = le fichier d'état hors site ne peut pas être lu : { $err }
ops-offsite-state-unreadable-advice = déplacez le fichier ; la prochaine commande `carevault offsite push` vérifie le stockage et enregistre de nouveau ce qu'il contient

## Backups
ops-backup-no-data = il n'y a aucune donnée de la clinique à sauvegarder dans ce dossier de l'application
ops-backup-no-data-advice = vérifiez --home (il doit contenir un dossier data), ou créez une clinique de démonstration avec `carevault demo init`
ops-backup-skip-not-utf8 = { $path } : le nom n'est pas en UTF-8 valide
ops-backup-skip-side-file = { $path } : son nom le fait ressembler à un fichier annexe de la base de données { $base }
ops-backup-skip-unsafe-name = { $path } : le nom ne peut pas être enregistré sans risque
ops-backup-skip-not-regular = { $path } : ce n'est pas un fichier ordinaire (lien ou périphérique)
ops-backup-bad-label = le libellé doit compter de 1 à { $max } caractères de texte simple
ops-backup-bad-label-advice = choisissez un libellé plus court, sans saut de ligne
ops-backup-sync-running = une synchronisation est en cours : aucune sauvegarde n'a commencé
ops-backup-sync-running-after-wait = une synchronisation est toujours en cours après l'attente : aucune sauvegarde n'a commencé
ops-backup-sync-running-advice = attendez que Système > Synchronisation indique Inactif, puis relancez la sauvegarde (ou utilisez --wait-sync SECONDES)
ops-backup-recovery-needs-passphrase = les clés de récupération demandent aussi une phrase secrète
ops-backup-recovery-needs-passphrase-advice = donnez une phrase secrète ; la clé de récupération est le recours si elle est oubliée
ops-internal-slot-not-made = l'emplacement de la phrase secrète n'a pas pu être créé
ops-internal-slot-size = l'emplacement de la phrase secrète fait { $size } octets, { $reserved } étaient réservés
ops-backup-head-unwritable = cette sauvegarde ne peut pas être écrite : { $what } ; rien n'a été écrit
ops-backup-head-unwritable-advice = vérifiez les noms de l'établissement et de la tablette dans les réglages de l'application, et les clés de récupération données
ops-backup-head-breaks-rules = ses informations lisibles enfreignent les règles du format ({ $problem })
ops-backup-slot-too-large = l'emplacement de clé { $name } dépasserait { $max } octets (trop de clés de récupération)
ops-busy = une autre sauvegarde, restauration ou suppression est en cours dans ce dossier de l'application
ops-busy-advice = attendez qu'elle se termine, puis relancez la commande

## Finding a backup by ID, label or path
ops-find-no-file = le fichier de sauvegarde n'existe pas
ops-find-no-file-advice = vérifiez le chemin, ou désignez la sauvegarde par l'identifiant ou le libellé qu'affiche `carevault list`
ops-find-id-conflict = { $n } fichiers portent l'identifiant de sauvegarde { $id }, donc aucun n'est utilisé par identifiant : { $paths }
ops-find-id-conflict-advice = un Administrateur système doit supprimer le fichier qui n'est pas une sauvegarde de cette tablette (`carevault list` indique qui a signé chacun), ou donnez le chemin du fichier
ops-find-none = aucune sauvegarde avec l'identifiant ou le libellé { $what } n'a été trouvée
ops-find-none-advice = lancez `carevault list` pour voir les sauvegardes et leurs identifiants
ops-find-many = { $n } sauvegardes correspondent à { $what }
ops-find-many-advice = donnez l'identifiant complet qu'affiche `carevault list`
ops-internal-path-without-name = un chemin de sauvegarde sans dossier ni nom de fichier

## Safety copies
ops-safety-no-such-copy = il n'y a pas de copie de sécurité nommée { $name }
ops-safety-no-such-copy-advice = lancez `carevault safety-copies list` pour voir leurs noms
ops-safety-sync-running = une synchronisation est en cours : la copie de sécurité n'a pas été remise en place
ops-safety-sync-running-advice = attendez que Système > Synchronisation indique Inactif, puis réessayez
ops-safety-db-fails-check = la base de données { $path } de la copie de sécurité échoue à sa vérification ; rien n'a été modifié
ops-safety-db-fails-check-advice = gardez cette copie de sécurité pour analyse et restaurez plutôt une sauvegarde
ops-internal-safety-copy-vanished = la copie de sécurité a disparu

## Status: the weekly reminder
ops-reminder-what-to-do = faites-en une maintenant sur le stockage Public (Documents) ou External (carte SD, clé USB), ou copiez-en une hors site : le guide en demande au moins une par semaine
ops-reminder-stale = la dernière sauvegarde hors du stockage privé de l'application date de { $days } jours (les copies hors site comptent aussi) : { $todo }
ops-reminder-private-only = toutes les sauvegardes sont sur le stockage privé de l'application, qu'« Effacer les données », une réinstallation ou une tablette perdue emportent avec elles : { $todo }
ops-reminder-none = il n'y a encore aucune sauvegarde : { $todo }
ops-check-name-integrity = intégrité de { $path }
# same in French
ops-check-name-table = { $label }
ops-check-name-realm = domaine (realm)
ops-check-name-sync-endpoint = adresse de synchronisation
ops-audit-head-bad-hash = son empreinte n'est pas faite de 64 chiffres hexadécimaux
ops-audit-line-empty = la ligne est vide
# same in French
ops-audit-parser-says = { $err }

# Fautes internes de carevault (avec core-internal-advice).
ops-journal-write-failed = écriture du journal de restauration impossible : { $error }
ops-password-hash-failed = argon2 n'a pas pu calculer l'empreinte d'un mot de passe : { $error }

## What the operations were doing when the system refused (the `what` of core-io-*).
# In French a noun phrase with its article, as core-io-* expect.
ops-doing-opening-audit = l'ouverture du journal d'audit
ops-doing-locking-audit = le verrouillage du journal d'audit
ops-doing-reading-audit = la lecture du journal d'audit
ops-doing-reading-audit-head = la lecture du fichier de tête du journal d'audit
ops-doing-repairing-audit-end = la réparation de la fin du journal d'audit
ops-doing-writing-audit = l'écriture dans le journal d'audit
ops-doing-flushing-audit = l'écriture du journal d'audit sur le stockage
ops-doing-creating-data-folder = la création du dossier des données
ops-doing-listing-data-folder = la lecture de la liste du dossier des données
ops-doing-inspecting-data-file = l'examen d'un fichier de données
ops-doing-taking-operation-lock = la prise du verrou des opérations
ops-doing-checking-operation-lock = la vérification du verrou des opérations
ops-doing-creating-backup-folder = la création du dossier de sauvegardes
ops-doing-measuring-backup = la mesure de la taille du fichier de sauvegarde
ops-doing-opening-offsite-lock = l'ouverture du verrou de l'état hors site
ops-doing-locking-offsite-state = le verrouillage de l'état hors site
ops-doing-reading-offsite-state = la lecture de l'état hors site
ops-doing-reading-profile = la lecture du profil
ops-doing-reading-device-key = la lecture de la clé de signature de cette tablette
ops-doing-reading-key-certificate = la lecture du certificat de clé de cette tablette
ops-doing-reading-backup-to-sign = la relecture de la nouvelle sauvegarde pour la signer
ops-doing-writing-backup-file = l'écriture du fichier de sauvegarde
ops-doing-reading-trusted-keys = la lecture des clés de signature de confiance
ops-doing-writing-the-backup = l'écriture de la sauvegarde
ops-doing-copying-backup = la copie de la sauvegarde
ops-doing-removing-old-staging = la suppression d'un ancien dossier de préparation
ops-doing-creating-staging = la création du dossier de préparation
ops-doing-reading-staged-data = la lecture des données préparées
ops-doing-taking-write-barrier = la prise de la barrière d'écriture
ops-doing-moving-restored-data = la mise en place des données restaurées
ops-doing-writing-restore-journal = l'écriture du journal de restauration
ops-doing-swapping-restored-data = l'échange des données restaurées avec les données en place
ops-doing-creating-safety-folder = la création du dossier de la copie de sécurité
ops-doing-keeping-safety-copy = la conservation des données remplacées comme copie de sécurité
ops-doing-removing-stale-staging = la suppression d'un dossier de préparation abandonné
ops-doing-reading-backup-users = la lecture des utilisateurs de la sauvegarde
ops-doing-creating-temp-folder = la création d'un dossier temporaire
ops-doing-creating-home = la création du dossier de l'application
ops-doing-flushing-restored-files = l'écriture des fichiers restaurés sur le stockage
ops-doing-creating-staging-subfolder = la création d'un dossier dans le dossier de préparation
ops-doing-creating-restored-file = la création d'un fichier restauré dans le dossier de préparation
ops-doing-writing-restored-file = l'écriture d'un fichier restauré dans le dossier de préparation
ops-doing-removing-restore-record = la suppression de l'enregistrement de la sauvegarde restaurée
ops-doing-reading-restore-record = la lecture de l'enregistrement de la sauvegarde restaurée
ops-doing-moving-safety-copy = la mise en place de la copie de sécurité
ops-doing-naming-safety-copy = l'attribution de son nom à la nouvelle copie de sécurité
ops-doing-reading-safety-copy = la lecture de la copie de sécurité
ops-doing-removing-safety-copy = la suppression de la copie de sécurité
ops-doing-reading-sync-state = la lecture de l'état de synchronisation

## What is damaged (the `what` of core-corrupted, core-truncated, core-unsafe-archive, core-origin-mismatch).
ops-damaged-signature-not-text = la signature de la sauvegarde n'est pas du texte
ops-damaged-signature-file = le fichier de signature de la sauvegarde est endommagé
ops-damaged-key-id = l'identifiant de clé n'est pas celui de la clé du signataire
ops-damaged-signature-invalid = la signature n'est pas valide
ops-damaged-signed-comment = le commentaire signé n'est pas celui de carevault
ops-damaged-origin-parts-missing = les parties signées de l'origine sont absentes
ops-damaged-origin-parts-in-1-0 = une sauvegarde en version 1.0 contient des parties que seule la version 1.1 écrit
ops-damaged-details-differ = les détails lisibles diffèrent de ceux qui sont signés
ops-damaged-part-names-differ = les noms des parties diffèrent de ceux qui sont signés
ops-damaged-payload-checksum-differs = la somme de contrôle du contenu diffère de celle qui est signée
ops-damaged-manifest-copy-differs = la copie du manifeste diffère de celle qui est signée
ops-damaged-origin-parts-too-large = les parties d'origine de la sauvegarde dépassent la taille permise
ops-damaged-parts-out-of-order = les parties du conteneur ne sont pas dans l'ordre de carevault
ops-damaged-changed-during-rekey = il a été modifié pendant le changement de phrase secrète
ops-damaged-signature-unreadable = la signature de la sauvegarde est illisible ({ $err })
ops-damaged-signer-key-unreadable = la clé publique du signataire est illisible ({ $err })
ops-damaged-entry-unreadable = { $path } ne peut pas être relu ({ $err })
