# carevault: web messages (fr).

## Errors every route may answer
web-not-logged-in = vous n'êtes pas connecté, ou votre session a expiré
web-not-logged-in-advice = connectez-vous à nouveau
web-internal-advice = il s'agit d'un défaut de carevault ; signalez ce message
web-task-failed = une tâche du serveur a échoué : { $error }
web-timed-out = le serveur n'a pas répondu en { $seconds } secondes
web-timed-out-advice = réessayez ; si une vérification ou une restauration est en cours, attendez qu'elle se termine
web-no-route = cette page ou cette route de l'API n'existe pas
web-no-route-advice = voir docs/API.md

## The web's own ways to give a key, in place of the command line's
web-recovery-path = choisissez « Utiliser plutôt la clé de récupération », puis collez la clé de récupération de l'établissement ou choisissez son fichier de clé
web-advice-need-key = saisissez la phrase secrète, ou { web-recovery-path }
web-advice-recovery-key-only = déverrouillez-la avec la clé de récupération pour laquelle elle a été faite : { web-recovery-path }
web-advice-wrong-passphrase = vérifiez la phrase secrète (majuscules, espaces), ou { web-recovery-path }
web-advice-passphrase-only = vérifiez la phrase secrète (les majuscules et les espaces comptent) : c'est celle donnée quand cette sauvegarde a été faite (cette sauvegarde n'a pas d'emplacement pour une clé de récupération)

## Keys in a request
web-not-a-recovery-key = ceci n'est pas une clé de récupération : aucune ligne valide commençant par AGE-SECRET-KEY-1 n'a été trouvée
web-not-a-recovery-key-advice = collez toute la ligne secrète de la clé de récupération de l'établissement, ou choisissez le fichier de clé où elle a été enregistrée
web-two-keys = une phrase secrète et une clé de récupération ont été données toutes les deux
web-two-keys-advice = n'en utilisez qu'une : la phrase secrète, ou la clé de récupération de l'établissement
web-key-needed = cette sauvegarde est chiffrée : sa phrase secrète ou une clé de récupération est nécessaire
web-key-needed-advice = saisissez la phrase secrète donnée quand la sauvegarde a été faite, ou utilisez la clé de récupération de l'établissement
web-restore-report-failed = le rapport de restauration : { $error }
web-too-many-passphrases = trop de phrases secrètes ou de clés de récupération erronées ont été essayées sur cette sauvegarde
web-too-many-passphrases-advice = réessayez { $when } : l'attente augmente à chaque phrase secrète erronée
web-when-seconds = dans { $seconds } { $seconds ->
    [one] seconde
   *[other] secondes
}
web-when-minutes = dans { $minutes } minutes

## Logins
web-login-throttled-user = trop de tentatives de connexion pour l'utilisateur { $user }
web-login-throttled-device = trop de connexions échouées depuis cet appareil
web-login-throttled-server = trop de connexions échouées sur ce serveur
web-login-throttled-advice = réessayez { $when } : l'attente augmente à chaque mot de passe erroné et se termine d'elle-même
web-shutting-down = le serveur est en cours d'arrêt

## Jobs
web-no-job = cette tâche n'existe pas
web-no-job-advice = relancez l'opération
web-abandoned = la demande s'est terminée pendant qu'elle attendait son tour
web-abandoned-advice = réessayez quand la vérification ou la restauration en cours sera terminée
web-one-at-a-time = vous avez déjà une vérification, une restauration ou une lecture du contenu en cours
web-one-at-a-time-advice = attendez qu'elle se termine, puis lancez la suivante (une à la fois garde la mémoire de la tablette libre)
web-job-fault = la tâche s'est arrêtée sur une erreur

## Request bodies
web-body-too-large = le corps de la requête est trop grand
web-body-too-large-advice = envoyez un objet JSON plus petit
web-field-missing = il manque le champ `{ $field }`
web-field-wrong = le champ `{ $field }` n'a pas le bon type ou la bonne valeur
web-not-json = le corps de la requête n'est pas du JSON valide
web-bad-json-advice = envoyez l'objet JSON que décrit docs/API.md

## Host and Origin checks
web-bad-host = ce serveur ne répond qu'à sa propre adresse (une adresse IP ou localhost)
web-bad-host-advice = ouvrez l'Explorateur de sauvegardes à l'adresse affichée par `carevault serve`
web-bad-origin = la requête ne vient pas de la page de l'Explorateur de sauvegardes (contrôle de l'en-tête Origin)
web-bad-origin-advice = utilisez la page de l'Explorateur de sauvegardes servie par `carevault serve`

## Uploads
web-upload-lost = un envoi a perdu sa place dans la liste du serveur
web-quota-session = les envois de cette session
web-quota-server = tous les envois de ce serveur
web-upload-too-large = le fichier est plus grand que ce que ce serveur accepte ({ $max })
web-upload-too-large-advice = copiez plutôt la sauvegarde dans le dossier Documents de la tablette ou sur une carte SD, ou démarrez le serveur avec un --max-upload plus grand
web-over-quota = avec cet envoi, { $whose } dépasseraient les { $quota } autorisés
web-over-quota-advice = restaurez ou abandonnez d'abord les envois précédents (ils sont supprimés une heure après leur arrivée, ou quand vous vous déconnectez), ou copiez la sauvegarde dans Documents ou sur une carte SD
web-upload-cut = l'envoi a été interrompu avant que tout le fichier n'arrive, ou il s'est bloqué
web-upload-cut-advice = envoyez à nouveau le fichier

## Finding backups
web-no-backup = il n'y a pas de sauvegarde avec cet identifiant
web-no-backup-advice = rechargez l'Explorateur de sauvegardes pour voir les sauvegardes présentes maintenant
web-id-conflict = { $count } fichiers portent cet identifiant de sauvegarde, donc aucun n'est utilisé : { $files }
web-id-conflict-advice = un Administrateur système doit supprimer le fichier qui n'est pas une sauvegarde de cette tablette (la liste indique qui a signé chacun)
web-found-in-upload = un fichier envoyé

## Backups
web-encrypt-needs-passphrase = une sauvegarde chiffrée a besoin d'une phrase secrète
web-encrypt-needs-passphrase-advice = saisissez une phrase secrète solide, et notez-la comme le prévoit la politique de données de votre établissement
web-passphrase-not-encrypted = une phrase secrète a été donnée pour une sauvegarde qui ne doit pas être chiffrée
web-passphrase-not-encrypted-advice = cochez « Chiffrer cette sauvegarde », ou laissez la phrase secrète vide
web-sync-running-backup = une synchronisation est en cours, donc aucune sauvegarde n'a été lancée
web-sync-running-backup-advice = attendez que Système > Synchronisation indique Inactif, puis refaites la sauvegarde
# same in French (the cause is the serializer's own text, for a report of the fault)
web-report-failed = { $error }
web-upload-restore-admin-only = seul un Administrateur système peut restaurer un fichier envoyé à la place des données de la clinique de cette tablette
web-upload-restore-admin-only-advice = demandez à un Administrateur système de le restaurer, ou restaurez une sauvegarde des supports de cette tablette

## Copy to USB, change of passphrase
web-usb-upload = un fichier envoyé n'est pas copié sur USB (les envois sont supprimés après une heure)
web-usb-upload-advice = copiez une sauvegarde enregistrée sur les supports de cette tablette
web-no-new-passphrase = aucune nouvelle phrase secrète n'a été donnée
web-no-new-passphrase-advice = saisissez deux fois la nouvelle phrase secrète
web-rekey-upload = la phrase secrète d'un fichier envoyé n'est pas changée (les envois sont supprimés après une heure)
web-rekey-upload-advice = changez-la sur une sauvegarde enregistrée sur les supports de cette tablette
web-rekey-automatic = les sauvegardes automatiques s'ouvrent avec la clé de cette tablette : elles n'ont pas de phrase secrète que vous pourriez changer
web-rekey-automatic-advice = faites une sauvegarde avec « Sauvegarder maintenant » pour choisir sa phrase secrète
web-rekey-unencrypted = cette sauvegarde n'est pas chiffrée, elle n'a donc pas de phrase secrète à changer
web-rekey-unencrypted-advice = faites plutôt une nouvelle sauvegarde chiffrée

## Offsite copies
web-offsite-not-configured = les copies hors site ne sont pas configurées sur cette tablette
web-offsite-not-configured-advice = ajoutez une section [offsite] à carevault.toml (voir docs/OFFSITE.md)
web-sync-running-offsite = une synchronisation est en cours, donc la copie hors site n'a pas été lancée
web-sync-running-offsite-advice = attendez que Système > Synchronisation indique Inactif, puis relancez la copie hors site
web-offsite-running = une copie hors site est déjà en cours
web-offsite-running-advice = attendez qu'elle se termine ; elle copie toutes les sauvegardes en attente

## Synchronization
web-sync-db-unreadable = la base de synchronisation ne peut pas être lue : { $error }

## First run
web-not-first-run = le dossier de l'application contient déjà des données de la clinique
web-not-first-run-advice = connectez-vous ; une restauration demande maintenant un Responsable clinique, un Infirmier de la clinique ou un Administrateur système
web-not-first-run-offsite-advice = connectez-vous ; les copies hors site sont dans l'Explorateur de sauvegardes
web-not-a-candidate = ce fichier n'est pas l'une des sauvegardes trouvées sur les supports Public ou External
web-not-a-candidate-advice = choisissez l'une des sauvegardes de la liste, ou envoyez le fichier
web-no-upload = il n'y a pas d'envoi avec cet identifiant (les envois sont supprimés après une heure)
web-no-upload-advice = envoyez à nouveau le fichier
web-path-or-upload = donnez soit `path`, soit `upload_id`
web-path-or-upload-advice = choisissez une sauvegarde de la liste ou envoyez-en une
web-offsite-prefix-template = le préfixe doit être celui de la tablette perdue, sans {"{"}facility{"}"} ni {"{"}device{"}"}
web-offsite-prefix-template-advice = saisissez-le comme le bucket l'affiche, par exemple tablets/kibera-hc/3f2a9c0d1e4b5a67/
web-offsite-keys-needed = la clé d'accès et la clé secrète sont toutes les deux nécessaires
web-offsite-keys-needed-advice = saisissez la clé de lecture que l'administrateur du bucket vous a donnée
web-no-public-folder = le dossier Public (Documents) n'est pas configuré

## SanteDB imports
web-import-no-new-passphrase = aucune phrase secrète n'a été donnée pour la nouvelle sauvegarde carevault
web-import-no-new-passphrase-advice = saisissez deux fois une nouvelle phrase secrète : les données importées restent chiffrées avec elle
web-no-santedb-upload = il n'y a pas d'envoi SanteDB avec cet identifiant (les envois sont supprimés après une heure)
web-no-santedb-upload-advice = envoyez à nouveau le fichier .bin de SanteDB
web-santedb-passphrase-needed = cette sauvegarde SanteDB est chiffrée et aucune phrase secrète SanteDB n'a été donnée
web-santedb-passphrase-needed-advice = saisissez la phrase secrète définie pour les sauvegardes dans l'application SanteDB
web-santedb-wrong-key-advice = vérifiez la phrase secrète SanteDB (les majuscules et les espaces comptent) : c'est celle définie pour les sauvegardes dans l'application SanteDB, pas une phrase secrète carevault
web-santedb-truncated-advice = le fichier est incomplet (une copie qui s'est arrêtée trop tôt) : copiez à nouveau le fichier .bin en entier depuis l'appareil SanteDB, et envoyez-le à nouveau
web-santedb-damaged-advice = le fichier est endommagé : copiez-le à nouveau depuis l'appareil SanteDB, ou utilisez une autre de ses sauvegardes
web-santedb-not-a-backup-advice = choisissez le fichier .bin écrit par la fonction Sauvegarde de l'application SanteDB, ou une sauvegarde carevault pour la restaurer
web-santedb-check-failed-advice = la sauvegarde SanteDB ne contient pas toutes ses données : faites une nouvelle sauvegarde sur l'appareil SanteDB et importez-la
web-import-no-backup = l'importation n'a écrit aucune sauvegarde
web-import-admin-only = importer une sauvegarde SanteDB à la place des données de la clinique de cette tablette demande un Administrateur système
web-import-admin-only-advice = demandez à un Administrateur système de l'importer et de la restaurer

## What the server was doing when the system refused (the `what` of core-io-*).
web-doing-saving-upload = l'enregistrement du fichier envoyé
web-doing-keeping-upload = la conservation du fichier envoyé
web-fleet-token-needed = cette page du parc demande son jeton d'accès, et la requête n'en avait pas ou en avait un autre
web-fleet-token-needed-advice = saisissez le jeton du fichier donné à carevault fleet serve avec --token-file
