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
ops-check-journal-mode-not-set = le mode de journal de { $path } ne peut pas être rétabli
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
ops-audit-why-removed-or-damaged = supprimées après leur écriture, ou illisibles dans une ligne endommagée
ops-audit-why-removed = supprimées après leur écriture
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
