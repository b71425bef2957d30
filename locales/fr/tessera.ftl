# Tessera — français. Mêmes identifiants que le fichier anglais de référence.
# Les variantes vont sur leurs propres lignes indentées après "->" (catégories de pluriel CLDR).

app-title = Tessera
loading = Chargement…
cancel = Annuler
close = Fermer
back = Retour
next = Suivant

## Languages (each written in its own language)

language-en = English
language-fr = Français
language-it = Italiano
language-ro = Română
language-hu = Magyar

## Premier démarrage

setup-welcome = Bienvenue dans Tessera
setup-intro = Configurez votre boutique en trois petites étapes, ou essayez d’abord avec des données de démo.
setup-step = Étape { $step } sur { $total }
setup-shop-title = Votre boutique
setup-shop-name = Nom de la boutique
setup-language = Langue
setup-currency = Devise
setup-manager-title = Le premier gérant
setup-manager-hint = Le gérant crée les programmes de fidélité, imprime les cartes et consulte les rapports.
setup-manager-name = Votre nom
setup-pin = Code PIN (4 à 8 chiffres)
setup-pin-again = Confirmez le code PIN
setup-pin-mismatch = Les deux codes PIN sont différents.
setup-program-title = Votre première carte à tampons
setup-program-name = Nom de la carte
setup-program-punches = Tampons pour une récompense
setup-program-reward = Récompense
setup-program-default-name = Carte café
setup-program-default-reward = Café offert
setup-finish = Ouvrir la caisse
setup-demo = Essayer avec des données de démo
setup-demo-hint = Un café avec 40 membres inscrits. Gérant : Alex, PIN 1234.
demo-pastry-card = Carte viennoiseries
demo-pastry-reward = Croissant offert

## Connexion

signin-title = Qui est à la caisse ?
signin-pin = Code PIN
signin-button = Se connecter
signout = Se déconnecter

## Écran de caisse

scan-prompt = Scannez une carte, ou tapez un nom ou un code
search-placeholder = Nom, téléphone, e-mail ou code
scan-armed = Scanner prêt
member-since = Membre depuis { $date }
card-stamps = { $punches } / { $needed }
# En français, « one » couvre 0 et 1 : on affiche { $count }, pas « 1 ».
rewards-ready =
    { $count ->
        [one] { $count } récompense prête
       *[other] { $count } récompenses prêtes
    }
reward-ready-named = Récompense prête : { $reward } !
no-reward = Pas encore de récompense
action-punch = Tamponner
action-redeem = Utiliser la récompense
action-undo = Défaire
action-new-member = Nouveau membre
action-clear = Client suivant
feedback-punched = Tampon ajouté sur la carte « { $program } » : { $punches } / { $needed }
feedback-reward-earned = Carte complète ! Récompense prête : { $reward } !
feedback-redeemed = Récompense utilisée : { $reward }
feedback-points = { $program } : +{ $points } points, { $balance } au total
punch-amount = Montant dépensé
action-add-points = Ajouter les points
card-points = { $points } points
points-next-reward = Encore { $points } points pour { $reward }
reward-tier = { $reward } ({ $points } points)
reward-lapses = expire le { $date }
override-title = Tampon donné il y a moins de { $minutes } minutes
override-hint = Pour tamponner quand même, indiquez pourquoi. Le gérant le voit dans le journal d’audit.
override-reason = Motif
override-confirm = Tamponner quand même
feedback-undone = Annulé : { $what }
last-action = Dernière action : { $what } · { $time } · { $staff }
search-results =
    { $count ->
        [one] { $count } membre trouvé
       *[other] { $count } membres trouvés
    }
search-none = Aucun membre trouvé. Vérifiez l’orthographe, ou inscrivez un nouveau membre.
search-ambiguous = Plusieurs membres correspondent : choisissez-en un.
confirm-repeat-punch = Tamponné à l’instant. Appuyez encore sur { key-enter } pour ajouter un tampon.

## Touches, nommées comme sur les claviers vendus en France

key-enter = Entrée
key-esc = Échap
key-ctrl-z = Ctrl+Z
key-r = R
key-arrows = ↑ ↓

## Ce qu’était une action, dans l’historique et l’annulation

event-enroll = Inscription
event-punch =
    { $count ->
        [one] { $count } tampon sur la carte « { $program } »
       *[other] { $count } tampons sur la carte « { $program } »
    }
event-redeem = Récompense de la carte « { $program } » utilisée
event-void = Annulé : { $reason }

## Annulation

undo-title = Défaire la dernière action ?
undo-reason = Pourquoi ?
undo-reason-wrong-member = Pas le bon membre
undo-reason-scanned-twice = Scanné deux fois
undo-reason-wrong-card = Pas la bonne carte
undo-reason-other = Autre
undo-confirm = Oui, défaire
undo-keep = Non, la garder

## Inscription

enroll-title = Nouveau membre
enroll-name = Nom
enroll-email = E-mail (facultatif)
enroll-phone = Téléphone (facultatif)
enroll-language = Langue du membre
enroll-submit = Inscrire
enroll-done = Bienvenue, { $name } !
enroll-code = Code membre
enroll-code-hint = Pour l’instant, notez ce code sur une carte : les cartes imprimées se font depuis l’écran du gérant.
enroll-open = Voir la fiche du membre

## Ligne de commande

cli-shop-ready = La boutique « { $shop } » est prête. Gérant : { $manager }.
program-terms-stamps = { $needed } tampons → { $reward }
program-terms-points = { $points } points par unité dépensée : { $tiers }
program-status-active = actif
program-status-paused = en pause
program-status-retired = arrêté
cli-program-replaced = Il remplace le programme { $old }, désormais arrêté : les membres gardent ce qu’ils y ont gagné.
cli-member-added = Nouveau membre : { $name }. Code : { $code }
cli-no-members = Aucun membre trouvé.
cli-member-erased = Membre { $code } : données personnelles effacées.
cli-consent-yes = oui (depuis le { $date })
cli-consent-no = non (depuis le { $date })
cli-consent-unasked = pas demandé
cli-member-birthday = anniversaire : { $day }
cli-campaign-done = Campagne { $segment } : { $written } { $members ->
    [one] membre
   *[other] membres
} sur { $members } contactés
cli-campaign-left-out = laissés de côté : { $no_consent } sans leur accord, { $no_contact } sans adresse
cli-campaign-file = écrit dans { $file }
cli-campaign-sent = { $sent ->
    [one] { $sent } e-mail envoyé
   *[other] { $sent } e-mails envoyés
}, { $refused } refusés par le serveur de messagerie
cli-serving = Les pages de la boutique répondent à { $url } (Ctrl+C pour arrêter)
mail-subject = Des nouvelles de { $shop }
mail-subject-coupon = { $shop } : { $offer } pour vous
mail-greeting = Bonjour { $name },
mail-coupon = Pour vous : { $text } ({ $offer }), valable jusqu’au { $date }. Il est déjà sur votre carte de fidélité : présentez votre carte au comptoir, ou le bon joint.
mail-coupon-no-expiry = Pour vous : { $text } ({ $offer }). Il est déjà sur votre carte de fidélité : présentez votre carte au comptoir, ou le bon joint.
mail-footer = Vous recevez cet e-mail parce que vous avez accepté d’avoir des nouvelles de { $shop }. Pour ne plus en recevoir : { $link }
mail-footer-no-link = Vous recevez cet e-mail parce que vous avez accepté d’avoir des nouvelles de { $shop }. Pour ne plus en recevoir, dites-le-nous au comptoir.
mail-voucher-file = bon
page-unsubscribe-email = Ne plus recevoir d’e-mails de { $shop } ?
page-unsubscribe-sms = Ne plus recevoir de SMS de { $shop } ?
page-unsubscribe-panel = Quitter le panel de { $shop } ? On ne vous demandera plus votre avis.
page-unsubscribe-button = Oui, plus rien
page-unsubscribe-done = C’est fait : { $shop } ne vous écrira plus de cette façon. Vous pouvez changer d’avis au comptoir.
page-not-ready = Les pages de la boutique ne sont pas prêtes. Réessayez dans un instant.
page-survey-visits = Merci pour { $visits ->
        [one] votre visite
       *[other] vos { $visits } visites
    } chez { $shop }.
page-survey-favourite = Votre carte chez nous : { $program }.
page-survey-nps = Recommanderiez-vous { $shop } à un ami ?
page-survey-nps-low = Pas du tout
page-survey-nps-high = Certainement
page-survey-topic = Qu'est-ce qui compte le plus pour vous chez nous ?
page-survey-topic-score = Et en êtes-vous satisfait ?
page-survey-score-low = Pas satisfait
page-survey-score-high = Très satisfait
page-survey-comment = Quelque chose à nous dire ? (facultatif)
page-survey-send = Envoyer
page-survey-done = Merci ! Vos réponses aident { $shop } à faire mieux.
page-survey-we-did = Vous l'avez dit, nous l'avons fait
topic-quality = La qualité
topic-service = L'accueil
topic-speed = Ne pas attendre
topic-price = Le rapport qualité-prix
topic-cleanliness = La propreté
topic-choice = Le choix
cli-import-written = { $rows } lignes lues ({ $encoding }) : { $added } membres ajoutés.
cli-import-read = { $rows } lignes lues ({ $encoding }) : rien n’a été enregistré.
cli-import-problem = Ligne { $line }, { $field } : { $error }
cli-import-line = la ligne { $line }
cli-import-duplicate = Ligne { $line } : même { $field } que { $with }
cli-file-written = Écrit : { $file }
cli-shop-local-time = le fuseau horaire de cet ordinateur
cli-voided = Annulé. Motif : { $reason }
cli-doctor-ok = Tout est en ordre.
cli-doctor-problems = Problèmes trouvés : { $count }.
cli-doctor-rebuilt = Soldes des cartes et chiffres des rapports recalculés à partir de l’historique.
cli-doctor-progress = Vérification… { $done } contrôles faits sur { $total }
cli-doctor-everything = Toute la base a été vérifiée.
cli-doctor-since = Vérifié : { $count ->
        [one] l’événement
       *[other] les { $count } événements
    } depuis le dernier contrôle sans problème ({ $date }), et ce qu’ils ont changé. `tessera doctor --full` vérifie tout.

## Écran du gérant

manage-open = Gérant
manage-back = Retour à la caisse
print-title = Imprimer des cartes de fidélité
print-layout = Papier
print-layout-cr80 = Imprimante à cartes (une carte par page)
print-layout-a4 = Feuille A4 de 10 cartes de visite
print-who = Cartes pour
print-who-all = Tous les membres
print-who-member = { $name } uniquement
print-language = Langue des cartes
print-language-member = La langue de chaque membre
print-button = Créer le PDF
print-progress = { $done } / { $total }
print-done =
    { $count ->
        [one] { $count } carte prête.
       *[other] { $count } cartes prêtes.
    }
print-open = Ouvrir
print-send = Imprimer
print-show-folder = Afficher dans le dossier
print-sent = Envoyé à { $printer } (travail { $job }).
print-default-printer = l’imprimante par défaut
print-test-page = Page de test de l’imprimante
scanner-test-title = Test du scanner
scanner-test-hint = Scannez une carte : vous voyez ici ce que le scanner a tapé et comment Tessera l’a lu.
scanner-test-arrived = Reçu
scanner-test-keys = Touches pressées
scanner-test-readings = Lu comme
scanner-test-source-key-codes = d’après les touches pressées
scanner-test-source-as-typed = tel que tapé
scanner-test-source-layout = comme un scanner US sur un clavier { $layout }
# Dispositions de clavier, lues dans scanner-test-source-layout : « un clavier allemand ».
keyboard-layout-us = américain (US)
keyboard-layout-fr = français
keyboard-layout-be = belge
keyboard-layout-de = allemand
keyboard-layout-hu = hongrois
keyboard-layout-it = italien
keyboard-layout-ro = roumain (standard)
scanner-test-result = Résultat
scanner-test-found = Carte de { $name }
card-replace-title = Carte de { $name }
card-replace-button = Remplacer une carte perdue
card-replace-confirm = L’ancienne carte sera refusée désormais. Le membre garde tous ses tampons et récompenses.
card-replace-done = Nouvelle carte : { $code }. Imprimez-la à gauche ; l’ancienne carte est désormais refusée.

## Printed cards

card-tagline = Présentez cette carte en caisse pour cumuler vos tampons.
card-test-title = Test d’impression : la règle doit mesurer exactement 100 mm.
card-test-hint = Sinon, désactivez « ajuster à la page » dans la fenêtre d’impression.
card-test-sample = Carte d’exemple
cli-card-revoked = Carte { $code } annulée.
cli-card-issued = Carte de { $name } : { $code }
cli-cards-written = { $count -> 
        [one] { $count } carte écrite dans { $file }
       *[other] { $count } cartes écrites dans { $file }
    }
cli-printed = Envoyé à { $printer } (travail { $job }).
cli-printer-default = l’imprimante par défaut
cli-printers-none = Le service d’impression de cet ordinateur ne connaît aucune imprimante.
cli-printer-is-default = (par défaut)

## Erreurs

error-shop-not-set-up = La boutique n’est pas encore configurée. Lancez la configuration initiale.
error-shop-already-set-up = Cette boutique est déjà configurée.
error-empty-field = Veuillez indiquer { $field ->
        [shop_name] le nom de la boutique
        [reward] la récompense
        [reason] le motif
       *[other] le nom
    }.
error-too-long = C’est trop long : { $max } caractères au maximum.
error-invalid-email = Cette adresse e-mail ne semble pas correcte.
error-invalid-phone = Ce numéro de téléphone ne semble pas correct.
error-invalid-language = Cette langue n’est pas disponible.
error-invalid-currency = Une devise s’écrit avec un code de trois lettres, comme EUR.
error-invalid-time-zone = Ce n’est pas un fuseau horaire. Écrivez-le comme la base tz, par exemple Europe/Paris ou Europe/Bucharest.
error-invalid-period = La période commence après sa fin. Choisissez un premier jour antérieur ou égal au dernier.
error-event-time-out-of-range = L’heure de cet événement est hors des années 1677 à 2262, que le registre ne peut pas conserver. Vérifiez l’horloge de la caisse qui l’a écrit.
error-invalid-pin = Le code PIN doit comporter 4 à 8 chiffres.
error-invalid-punches-needed = Une carte doit compter entre 1 et { $max } tampons.
error-invalid-count = Vous pouvez mettre entre 1 et { $max } tampons à la fois.
error-program-not-found = Ce programme de fidélité n’existe pas.
error-invalid-number = { $field ->
        [points_per_unit] Les points par unité dépensée doivent être entre { $min } et { $max }.
        [tier_points] Une récompense coûte entre { $min } et { $max } points.
        [reward_days] Une récompense peut durer entre { $min } et { $max } jours.
        [min_gap_minutes] Le délai entre deux tampons est de { $min } à { $max } minutes.
        [amount] Saisissez le montant dépensé, par exemple 12,50.
        [idle_sign_out_minutes] La déconnexion se règle entre { $min } et { $max } minutes.
        [pin_again_minutes] Le code PIN est redemandé après { $min } à { $max } minutes.
       *[other] Saisissez un nombre entre { $min } et { $max }.
    }
error-invalid-tiers = Un programme à points a besoin de 1 à 10 récompenses, chacune pour un nombre de points différent.
error-program-retired = Ce programme est arrêté : il ne donne plus de tampons et ne peut plus être modifié. Les récompenses déjà gagnées restent utilisables.
error-punch-too-soon = Ce membre a reçu un tampon il y a moins de { $minutes } minutes. Pour tamponner quand même, indiquez pourquoi.
error-amount-required = Ce programme donne des points selon le montant dépensé : saisissez le montant.
error-no-points-for-amount = Ce montant ne donne aucun point.
error-reward-required = Choisissez la récompense.
error-program-inactive = Ce programme de fidélité est en pause : pas de tampons tant qu’un gérant ne l’a pas repris.
error-program-required = La boutique a plusieurs cartes : choisissez laquelle.
error-no-active-program = Aucun programme de fidélité actif. Un gérant peut en ajouter un.
error-member-not-found = Ce membre n’existe pas.
error-member-erased = Les données personnelles de ce membre ont été effacées.
error-csv-no-name-column = Le fichier n’a pas de colonne de noms : sa première ligne doit nommer les colonnes (nom, email, téléphone…).
error-file-unreadable = Impossible de lire { $path }. Vérifiez le nom du fichier et qu’il est bien là.
error-unknown-code = Aucun membre n’a ce code. Vérifiez la carte, ou inscrivez un nouveau membre.
error-mistyped-code = Ce code contient une faute de frappe. Vérifiez chaque caractère et réessayez.
error-not-a-code = Ce n’est pas un code membre.
error-card-replaced = Cette carte a été remplacée le { $date } : demandez la nouvelle carte.
error-card-revoked = Cette carte a été annulée le { $date }. Un gérant peut en émettre une nouvelle.
error-forged-card = Cette carte n’est pas authentique : son code ne se vérifie pas.
error-unknown-card-key = Cette carte vient d’un magasin que cette caisse ne connaît pas encore. Synchronisez la caisse, puis scannez à nouveau.
error-truncated-card = La carte n’a été lue qu’en partie. Scannez-la à nouveau.
error-invalid-layout = Choisissez un format : cr80 (imprimante à cartes) ou a4-10 (feuille A4 de 10).
error-nothing-to-redeem = Pas encore de récompense à utiliser.
error-coupon-not-card = C'est un bon, pas une carte de fidélité : prenez-le avec « Utiliser le bon ».
error-not-a-coupon = Ce n'est pas un bon.
error-forged-coupon = Ce bon n'est pas authentique (modifié ou mal lu) : scannez-le à nouveau, ou refusez-le.
error-unknown-coupon-key = Ce bon vient d'une caisse pas encore synchronisée avec celle-ci : synchronisez, puis scannez-le à nouveau.
error-truncated-coupon = Le bon n'a été lu qu'en partie : scannez-le à nouveau.
error-coupon-used = Ce bon a déjà été utilisé le { $date }.
error-coupon-expired = Ce bon a expiré le { $date }.
error-coupon-withdrawn = Ce bon a été retiré le { $date }.
error-coupon-other-shop = Ce bon n'est valable que dans la boutique qui l'a donné.
error-coupon-not-found = Bon introuvable.
error-expiry-past = Le dernier jour d'un bon est aujourd'hui ou plus tard (avant 2109).
error-coupon-charge-back = Un bon utilisé deux fois n'a pas de prochaine récompense sur laquelle le reprendre : acceptez la perte.
error-complaint-not-found = Réclamation introuvable.
error-complaint-compensated = Cette réclamation a déjà son bon.
error-no-compensation = Les règles de la boutique ne proposent pas de bon pour ce type de réclamation.
error-complaint-resolved = Cette réclamation est déjà résolue.
error-follow-up-answered = Le client a déjà répondu au sujet de cette réclamation.
error-event-not-found = Action introuvable.
error-already-voided = Cette action a déjà été annulée.
error-not-voidable = Seuls les tampons et les récompenses utilisées peuvent être annulés.
error-reward-already-redeemed = La récompense de ces tampons a déjà été utilisée : annulez d’abord son utilisation.
error-nothing-to-undo = Aucune action à défaire. Vous pouvez défaire vos propres actions récentes ; un responsable corrige les plus anciennes.
error-reason-required = Veuillez indiquer un motif.
error-staff-not-found = Personne dans l’équipe ne porte ce nom.
error-staff-name-taken = Quelqu’un dans l’équipe porte déjà ce nom.
error-wrong-pin = Nom ou code PIN incorrect. Réessayez.
error-sign-in-wait = Trop de codes PIN erronés. Réessayez dans { $seconds } s.
error-sign-in-locked = Trop de codes PIN erronés : ce nom est bloqué. Un gérant le débloque dans Gérant › Personnel.
error-last-manager = La boutique doit garder au moins un gérant actif. Nommez d’abord quelqu’un d’autre gérant.
error-restore-in-chain = Cette sauvegarde est celle d’une caisse d’une chaîne : elle ne peut pas encore être restaurée (le hub a déjà ce que cette caisse a fait depuis). Rien n’a été modifié. Rejoignez plutôt la chaîne comme nouvelle caisse : ses données reviennent par la synchronisation.
error-manager-only = Seul un gérant peut faire cela.
error-pin-again = Saisissez à nouveau votre code PIN pour ouvrir les écrans du gérant.
error-database-locked = La base de données est occupée par un autre programme : ceci n’a PAS été enregistré. Fermez l’autre programme, puis réessayez.
error-store-unwritable = Tessera ne peut pas écrire dans sa base de données ({ $path }) : ceci n’a PAS été enregistré. Vérifiez que le disque est branché et que le fichier n’est pas en lecture seule.
error-store-corrupt = Le fichier de la base de données est endommagé : plus rien ne peut être enregistré. Ne le supprimez pas ; appelez l’assistance.
error-disk-full = Le disque est plein : ceci n’a PAS été enregistré. Libérez de l’espace, puis réessayez.
error-open-failed = Aucun programme n’a pu ouvrir ce fichier : { $path }
error-printing-unavailable = Cet ordinateur n’a pas de service d’impression. Ouvrez le PDF et imprimez-le depuis la visionneuse, ou installez CUPS.
error-print-failed = L’imprimante a refusé le travail ({ $detail }). Vérifiez l’imprimante dans les Réglages, ou ouvrez le PDF et imprimez-le depuis la visionneuse.
error-storage-error = Un problème est survenu : ceci n’a PAS été enregistré. Réessayez ; si cela se reproduit, appelez l’assistance.

error-sign-in-required = Veuillez d’abord vous connecter.
error-unexpected = Un problème inattendu est survenu. Réessayez.

## The till, safe under pressure
menu-about = À propos de Tessera
about-title = À propos de Tessera
about-version = Version { $version }
about-database = Base de données
about-logs = Journaux
about-fonts = Polices
about-libraries = { $count } bibliothèques
till-menu = Menu
scan-last = Dernier scan { $time }
scan-paused = Scanner en pause : touchez l’écran
not-saving-title = Rien n’est enregistré
not-saving-file = Fichier de la base : { $path }
saving-wait = Enregistrement… la base de données est occupée.
redeem-confirm-title = Donner « { $reward } » à { $name } ?
redeem-confirm-hint = { key-enter } : oui, la donner · { key-esc } : pas maintenant
redeem-confirm-yes = Oui, donner la récompense
redeem-confirm-no = Pas maintenant
undo-at = { $what } · { $time }
undo-window = Vous pouvez défaire vos propres actions des { $minutes } dernières minutes. Un responsable corrige les plus anciennes.
undo-other-placeholder = Que s’est-il passé ?
enroll-duplicates-title = Déjà membre ?
enroll-duplicates-hint = Ces membres ont le même nom, la même adresse e-mail ou le même numéro de téléphone.
enroll-duplicate-open = Ouvrir ce membre
enroll-anyway = Quelqu’un d’autre : inscrire
enroll-submit-stamp = Inscrire et tamponner
db-missing-title = La base de données de la boutique est introuvable
db-missing-new = Créer une nouvelle boutique ici
db-missing-hint = Si le fichier a été déplacé, ou se trouve sur un disque non branché, remettez-le en place et redémarrez Tessera.
search-pick-hint = { key-arrows } : choisir · { key-enter } : ouvrir
error-database-gone = Le fichier de la base de données a été supprimé ou déplacé pendant que Tessera était ouvert ({ $path }). Ceci n’a PAS été enregistré, et rien ne le sera tant que le fichier n’est pas revenu : fermez Tessera et remettez le fichier en place.
error-database-missing = La base de données de la boutique est introuvable : { $path }. Elle a déjà été utilisée sur cet ordinateur.
error-likely-duplicate = { $name } ({ $code }) est peut-être la même personne. Vérifiez avant de l’inscrire une deuxième fois.
feedback-not-saved = Ceci n’a PAS été enregistré (voir ci-dessus).
error-not-a-tessera-database = Ce fichier n’est pas une base de données Tessera : { $path }. Tessera ne l’a pas modifié. Choisissez le fichier de la base de la caisse.
error-database-too-new = Cette base de données a été créée par une version plus récente de Tessera (schéma { $found } ; cette version connaît jusqu’au { $supported }). Installez la version plus récente ; la base n’a pas été modifiée.
error-database-damaged = La structure de la base de données n’est pas celle que Tessera a créée : rien n’a été modifié. Gardez le fichier et appelez l’assistance.
error-invalid-characters = Ce texte contient des caractères qui ne peuvent être ni imprimés ni affichés. Veuillez le saisir à nouveau.
error-file-unwritable = Tessera ne peut pas écrire le fichier { $path }. Vérifiez que le dossier existe et n’est pas en lecture seule, puis réessayez. La base de données de la boutique n’est pas touchée.
error-internal-error = Un problème inattendu est survenu dans Tessera : ceci n’a PAS été fait. Réessayez ; si cela se reproduit, appelez l’assistance (la cause est notée dans le journal de Tessera).
error-invalid-arguments = Cette commande est incomplète ou n’a pas été comprise : { $detail }

## Sync with the chain
error-invalid-hub-url = « { $url } » n’est pas l’adresse d’un hub. Elle ressemble à https://hub.exemple.fr (demandez-la à qui gère le hub de votre chaîne).
error-insecure-hub-url = { $url } n’est pas chiffrée. Un hub sur une autre machine se joint en HTTPS : utilisez une adresse https://.
error-invalid-certificate = Le fichier de certificat à accepter n’est pas un certificat PEM (il commence par « -----BEGIN CERTIFICATE----- »).
error-hub-unreachable = Le hub { $url } est injoignable. La caisse continue hors ligne et enverra tout au retour de la connexion.
error-hub-token-refused = Le hub n’accepte pas le jeton de cette caisse ({ $reason }). Demandez-en un nouveau à qui gère le hub ; rien n’est perdu sur cette caisse.
error-hub-refused = Le hub a refusé ({ $reason }). Rien n’est perdu sur cette caisse ; si cela se reproduit, appelez l’assistance.
error-not-in-chain = Cette caisse ne fait pas encore partie d’une chaîne. Rejoignez-en une d’abord (Réglages › Synchronisation, ou « tessera join »).
error-already-in-chain = Cette caisse fait déjà partie d’une chaîne. Une caisse se synchronise avec un seul hub.
cli-join-done = Cette caisse est maintenant la caisse { $device } de « { $shop } » dans la chaîne de { $hub }.
cli-sync-done = Synchronisé : { $sent } envoyés, { $received } reçus.
cli-sync-rejected = Le hub a refusé { $count } éléments de cette caisse : voir « tessera sync status ». Rien d’autre n’est bloqué.
cli-sync-code-clashes = { $count } membres d’autres magasins ont un code de carte déjà porté par un membre d’ici (codes créés avant l’adhésion à la chaîne). Ils sont mis de côté pour un responsable.
cli-sync-not-in-chain = Cette caisse ne fait pas partie d’une chaîne.
cli-sync-status = Hub { $hub } · caisse { $device } · en attente d’envoi : { $events } événements, { $changes } modifications.
cli-sync-last = Dernière synchronisation : { $at }.
cli-sync-never = Pas encore synchronisée.
cli-sync-last-error = La dernière tentative a échoué : { $code }.
cli-sync-code-clash = ⚠ Carte { $code } : « { $name } » d’un autre magasin a le même code que « { $holder } » ici. Rééditez l’une des deux cartes.
error-no-such-conflict = Cette utilisation n’est pas en conflit, ou un responsable l’a déjà réglée. Synchronisez, puis consultez à nouveau les conflits.
event-forgive = Conflit réglé, perte acceptée : { $reason }
event-charge-back = Conflit réglé, la prochaine récompense le paiera : { $reason }
cli-conflicts-none = Aucun conflit.
cli-conflict = { $id }  { $member } ({ $code }) · { $program } · utilisée à { $shop } le { $at } · solde { $balance }
sync-line-online = En ligne
sync-line-offline = Hors ligne
sync-line-failing = Synchronisation refusée
sync-line-not-yet = Pas encore synchronisée
sync-at = synchronisée à { $time }
sync-waiting =
    { $count ->
        [one] 1 en attente
       *[other] { $count } en attente
    }
sync-title = Synchronisation avec la chaîne
sync-hub = Hub
sync-device = Numéro de caisse
sync-line = Connexion
sync-last = Dernière synchronisation
sync-never = Jamais
sync-waiting-label = En attente d’envoi
sync-rejected = Refusés par le hub
sync-code-clashes = Codes de carte partagés avec un membre d’un autre magasin
sync-now = Synchroniser maintenant
sync-join-title = Rejoindre une chaîne
sync-join-hint = Demandez à qui gère le hub de votre chaîne son adresse et un jeton pour cette caisse. Les programmes, l’équipe et les membres de la chaîne arrivent sur cette caisse.
sync-join-hub = Adresse du hub
sync-join-token = Jeton de cette caisse
sync-join = Rejoindre
setup-join = Rejoindre une chaîne
setup-join-hint = Cette boutique fait partie d’une chaîne qui a un hub.
conflicts-title = Conflits
conflicts-none = Aucun conflit.
conflict-line = { $program } : une récompense de trop, utilisée à { $shop } à { $time }
conflict-reason = Raison
conflict-accept = Accepter la perte
conflict-charge-back = La prendre sur la prochaine récompense
conflict-coupon = Bon « { $coupon } »
conflict-coupon-line = { $coupon } : déjà utilisé une fois, utilisé à nouveau à { $shop } à { $time }
error-hub-certificate-untrusted = Le hub { $url } présente un certificat auquel cette caisse ne fait pas confiance. Si c’est le certificat de votre chaîne, donnez son fichier à la caisse (tessera join --trust FICHIER) ; sinon, vérifiez l’adresse.
error-already-one-member = Ces deux fiches sont déjà un seul membre.
event-merge = Fusionné avec un doublon de ce membre
event-coupon-redeem = Bon utilisé

## Coupons
coupon-free-item = { $count ->
    [one] Un article offert
   *[other] { $count } articles offerts
}
coupon-amount-off = { $amount } de réduction
coupon-percent-off = { $percent } % de réduction
coupon-until = Valable jusqu'au { $date }
coupon-no-expiry = Sans date limite
coupon-only-issuing-shop = Valable uniquement dans la boutique qui l'a donné
coupon-ready = Prêt à être utilisé
coupon-for = Pour { $member }
feedback-coupon-scanned = Bon : { $offer }. Appuyez sur Entrée pour l'utiliser.
feedback-coupon-used = Bon utilisé : { $offer }
action-use-coupon = Utiliser le bon
member-coupons = { $count ->
    [one] Un bon à utiliser
   *[other] { $count } bons à utiliser
}
cli-coupon-used = Bon utilisé : { $offer }
voucher-fine-print = Valable pour une seule utilisation. Bon { $id }
slip-headline = Donnez-nous votre avis
slip-offer = Trois questions courtes, une minute
slip-until = Lien valable jusqu'au { $date }
slip-fine-print = Scannez le code avec l'appareil photo de votre téléphone, ou ouvrez { $link }
cli-voucher-written = Bon enregistré dans { $file }
cli-slip-written = Fiche d'enquête enregistrée dans { $file }

## Complaints
compensation-quality = Un produit de votre choix, offert
compensation-service = Un café offert, avec nos excuses
compensation-wait = 10 % de réduction, pour l'attente
compensation-apology = Avec nos excuses
cli-complaint-proposal = La règle de la boutique propose un bon : « { $coupon } » (tessera complaint compensate ID)
cli-complaints-none = Aucune réclamation ouverte.
cli-follow-up-none = Rien à demander à ce client.
cli-compensation-rule = { $category } : { $offer }, valable { $days } jours · « { $text } »
cli-compensation-none = { $category } : rien n'est proposé
cli-survey-due = On peut demander son avis à ce membre maintenant.
cli-survey-not-due = Pas maintenant : ce membre n'est pas du panel, ou on lui a demandé récemment.
cli-survey-answered = Merci : les réponses sont enregistrées.
cli-we-did-none = Rien d'écrit pour l'instant.
follow-up-question = La dernière fois, ce client a fait une réclamation. Le problème a-t-il été réglé ?
complaint-anonymous = Anonyme
complaint-put-right = Réglé, selon le client
complaint-not-put-right = Pas réglé, selon le client
complaint-resolved = Résolue
complaint-due = Ouverte, à traiter avant le { $date }
complaint-category-quality = Qualité
complaint-category-service = Service
complaint-category-wait = Attente
complaint-category-price = Prix ou addition
complaint-category-cleanliness = Propreté
complaint-category-other = Autre
complaint-severity-low = Mineure
complaint-severity-medium = Sérieuse
complaint-severity-high = Très sérieuse
action-complaint = Réclamation
complaint-title = Une réclamation
complaint-for = Concernant { $member }
complaint-anonymous-hint = Quelqu'un qui n'est pas membre (personne n'est nommé)
complaint-category = À quel sujet ?
complaint-severity = Quelle gravité ?
complaint-note = Ce qui s'est passé, en quelques mots
complaint-log = Enregistrer
complaint-logged = Enregistrée : elle est à vous jusqu'à ce qu'elle soit réglée, avant le { $due }.
complaint-proposal = La boutique offre : { $coupon }
complaint-give = Donner le bon
complaint-not-now = Pas maintenant
feedback-coupon-given = Bon donné : { $offer }
follow-up-yes = Oui, réglé
follow-up-no = Non
feedback-follow-up-thanks = Merci : la réponse est enregistrée.
survey-offer = Membre du panel : lui demander son avis ?
survey-offer-hint = Trois questions courtes, sur l'écran client ou sur une fiche pour son téléphone.
survey-ask = Demander
feedback-survey-on-screen = L'enquête est sur l'écran client.
survey-slip = Imprimer une fiche
action-survey-slip = Fiche d'enquête
feedback-slip-printed = La fiche d'enquête s'imprime : remettez-la avec le ticket.
error-no-follow-up = Rien à demander à ce client lors de cette visite.
cli-report-complaints = Réclamations du { $from } au { $to } : { $logged } reçues, { $resolved } résolues, { $open } ouvertes (dont { $overdue } en retard)
cli-report-complaints-hours = Heures pour régler : médiane { $median }, la plus longue { $max } · à la visite suivante : { $yes } réglées, { $no } non
cli-report-surveys = Enquêtes du { $from } au { $to } : { $asked } demandées, { $answered } répondues · NPS { $nps }
cli-report-surveys-topic = { $topic } : compte le plus pour { $share } %, satisfaction { $satisfaction } / 5
cli-report-surveys-topic-act = { $topic } : compte le plus pour { $share } %, satisfaction { $satisfaction } / 5 ← à améliorer

member-new-here = Nouveau dans cette boutique
member-new-here-hint = Une carte de la chaîne : les tampons sont gardés, les coordonnées du membre arrivent à la prochaine synchronisation.
merge-title = La même personne inscrite deux fois ?
merge-hint = Saisissez ou scannez l’autre carte : ses tampons rejoignent la carte de { $name }, et les deux cartes continuent de fonctionner.
merge-other = L’autre carte
merge-button = Fusionner avec { $name }
merge-done = Fusionné : les deux cartes mènent maintenant à { $name }.

## Staff and the audit trail
staff-role-manager = gérant
staff-role-cashier = caissier
staff-inactive = désactivé
staff-locked = bloqué
cli-staff-saved = Enregistré.
cli-audit-none = Rien dans le journal d’audit pour ces dates.
cli-report-summary-title = Résumé du { $from } au { $to } (jours selon { $zone })
cli-report-returning = Membres revenus : { $count }
cli-report-rewards-given = Récompenses offertes : { $count }
cli-report-new-members = Nouveaux membres : { $count }
cli-report-visits-per-week = Visites par semaine :
cli-report-program = { $program } ({ $kind }) : { $punches } tamponnés, { $earned } récompenses gagnées, { $redeemed } utilisées
cli-report-retention-title = Nouveaux membres revenus, par mois d’inscription, du { $from } au { $to } (jours selon { $zone }) ; … = encore en cours
cli-report-cohort = { $month } : { $count } nouveaux · sous 30 jours { $d30 } · 60 jours { $d60 } · 90 jours { $d90 }
cli-report-at-risk-title = Habitués absents depuis deux fois leur rythme habituel au { $date } ({ $zone }) : { $count }
cli-report-at-risk-member = { $code }  { $name } : { $visits } visites, d’habitude tous les { $usual } jours, dernière le { $last } (il y a { $away } jours)
cli-report-staff-title = Personnel du { $from } au { $to } (jours selon { $zone })
cli-report-staff-member = { $name } : { $enrolments } inscriptions, { $punches } tampons, { $redemptions } récompenses, { $voids } annulations, { $overrides } dérogations, { $cancelled } des siens annulés, { $complaints_logged } réclamations notées, { $complaints_resolved } réglées, { $feedback } avis recueillis
cli-dev-seeded = { $members } membres et { $events } événements générés.
cli-dev-storm-written = Écrit : { $kind } { $event }
cli-dev-seed-progress = { $done } / { $members } membres, { $events } événements…
cli-about-version = Tessera { $version }
cli-about-database = Base de données : { $path }
cli-about-logs = Journaux : { $path }
cli-about-licences = Construit avec { $libraries } bibliothèques et les polices DejaVu ; leurs licences : tessera about --licences
cli-backup-taken = Sauvegarde écrite : { $path } ({ $size } Ko).
cli-restored = Restauré depuis { $path }.
cli-restore-kept = La base de données remplacée est gardée ici : { $path }.
audit-kind-pin-failed = Code PIN erroné
audit-kind-sign-in-locked = Bloqué après des codes PIN erronés
audit-kind-staff-unlocked = Débloqué
audit-kind-staff-added = Membre du personnel ajouté
audit-kind-staff-renamed = Membre du personnel renommé
audit-kind-staff-role-changed = Rôle modifié
audit-kind-pin-set = Code PIN défini
audit-kind-staff-deactivated = Membre du personnel désactivé
audit-kind-staff-reactivated = Membre du personnel réactivé
audit-kind-program-changed = Programme modifié
audit-kind-backup-taken = Sauvegarde faite
audit-kind-restored = Sauvegarde restaurée
audit-kind-members-exported = Membres exportés
audit-kind-members-imported = Membres importés
audit-kind-member-erased = Données d’un membre effacées
audit-kind-member-data-exported = Données d’un membre exportées
audit-kind-campaign-run = Campagne envoyée aux membres
audit-kind-void = Annulé
audit-kind-forgive = Conflit accepté
audit-kind-charge-back = Conflit refacturé
audit-kind-settings-changed = Réglages de la caisse modifiés
audit-kind-override = Tampon donné avant le délai
error-invalid-date = Ce n’est pas une date : écrivez-la AAAA-MM-JJ, par exemple 2026-03-31.
error-invalid-birthday = Ce n’est pas une date d’anniversaire : écrivez le mois et le jour MM-JJ, par exemple 03-31, ou 31.03.
error-unsubscribe-link-invalid = Ce lien n’est pas l’un des nôtres, ou il en manque une partie. Copiez le lien entier depuis l’e-mail, ou demandez-nous au comptoir.
error-invalid-link-base = Écrivez l’adresse des pages de la boutique avec http:// ou https://, par exemple https://boutique.example:8470.
error-invalid-segment = Ce groupe de membres n’existe pas : at-risk, new, regulars, birthday ou panel.
error-invalid-channel = Ce canal n’existe pas : email ou sms.
error-invalid-pages-address = Écrivez où servir les pages sous la forme adresse:port, par exemple 0.0.0.0:8470 (tout le réseau de la boutique), ou laissez vide.
error-pages-unavailable = Les pages ne peuvent pas être servies sur { $address } : un autre programme l’utilise peut-être. Choisissez un autre port.
error-invalid-mail-server = { $url } n’est pas l’adresse d’un serveur de messagerie : écrivez smtps://utilisateur:motdepasse@mail.example, ou smtp://…?tls=required.
error-insecure-mail-server = { $url } n’est pas chiffré : les adresses des membres et le mot de passe passeraient en clair sur le réseau. Utilisez smtps://, ou ajoutez ?tls=required.
error-invalid-sender = Écrivez l’adresse d’envoi sous la forme Nom <adresse@example.com>.
error-campaign-not-found = Aucune campagne envoyée par e-mail n’a cet identifiant.
error-pages-not-served = Les pages de la boutique ne sont pas servies sur son réseau : un responsable indique leur adresse dans les réglages (par exemple 0.0.0.0:8470).
error-compensation-rule-twice = Une seule règle par type de réclamation ({ $category }).
error-survey-link-invalid = Ce lien d'enquête n'est pas de cette boutique, ou il a été modifié.
error-survey-answered = Cette enquête a déjà reçu une réponse. Merci !
error-survey-expired = Ce lien d'enquête est trop ancien pour y répondre.
error-not-on-panel = Ce membre n'a pas accepté qu'on lui demande son avis.
error-survey-asked-recently = On a demandé son avis à ce membre récemment : à nouveau à partir du { $date }.
error-invalid-survey-answer = Veuillez répondre { $field ->
        [nps] à la première question, de 0 à 10
        [topic] avec l'un des choix proposés
       *[other] en notant votre satisfaction de 1 à 5
    }.
error-invalid-survey-interval = Le nombre de jours entre deux enquêtes d'un membre doit aller de 1 à 3650.
error-we-did-not-found = Cette entrée « Vous l'avez dit, nous l'avons fait » n'existe pas.
error-mail-server-unreachable = Le serveur de messagerie { $url } est injoignable : { $sent } envoyés, { $waiting } en attente. Envoyez le reste plus tard avec : tessera campaign resume { $campaign } (personne ne reçoit deux fois le même e-mail).
manage-tab-cards = Cartes et synchronisation
manage-tab-programs = Programmes
manage-tab-members = Membres
manage-tab-reports = Rapports
manage-tab-feedback = Avis
reports-title = Le programme fidélise-t-il ?
reports-from = Du
reports-to = Au
reports-this-month = Ce mois-ci
reports-counting = Calcul en cours…
reports-days-in = Jours selon { $zone }.
reports-returning = Membres revenus
reports-rewards = Récompenses offertes
reports-new = Nouveaux membres
reports-visits-per-week = Visites par semaine
reports-visits = Visites
reports-programs = Programmes
reports-program = Programme
reports-punches = Tampons
reports-earned = Récompenses gagnées
reports-redeemed = Récompenses offertes
reports-unit-points =
    { $count ->
        [one] point
        *[other] points
    }
reports-unit-stamps =
    { $count ->
        [one] tampon
        *[other] tampons
    }
reports-retention = Nouveaux membres revenus
reports-retention-explained = Pour les membres inscrits chaque mois : la part revenue un autre jour, sous 30, 60 et 90 jours. Les derniers mois sont encore en cours.
reports-within-days = Sous { $days } jours
reports-at-risk = Habitués à risque
reports-at-risk-explained =
    { $count ->
        [one] Un habitué n’est pas venu depuis deux fois son rythme habituel, au { $date }.
        *[other] { $count } habitués ne sont pas venus depuis deux fois leur rythme habituel, au { $date }.
    }
reports-member = Membre
reports-usual = D’habitude tous les
reports-last-visit = Dernière visite
reports-away = Absent depuis
reports-consent = Joignable par
reports-days =
    { $count ->
        [one] { $count } jour
        *[other] { $count } jours
    }
reports-consent-email = e-mail
reports-consent-sms = SMS
reports-staff = Personnel
reports-staff-member = Membre du personnel
reports-enrolments = Inscriptions
reports-voids = Annulations
reports-overrides = Dérogations
reports-cancelled = Des siens annulés
reports-complaints-logged = Réclamations notées
reports-complaints-resolved = Réclamations réglées
reports-feedback-collected = Enquêtes répondues
surveys-title = Ce que disent les membres
surveys-nps = Net Promoter Score
surveys-answered = { $answered } réponses sur { $asked } demandes
surveys-promoters = nous recommanderaient (9–10)
surveys-passives = satisfaits (7–8)
surveys-detractors = mécontents (0–6)
surveys-none = Pas encore de réponse sur cette période.
surveys-nps-by-month = Net Promoter Score, mois par mois
surveys-topics = Ce qui compte le plus pour eux, et leur satisfaction
surveys-importance = Compte le plus pour
surveys-satisfaction = Satisfaction
surveys-act-here = À améliorer
surveys-comments = Leurs mots
we-did-title = Vous l'avez dit, nous l'avons fait
we-did-hint = Qu'a changé la boutique après les avis ? Les trois plus récents s'affichent sur la page d'enquête.
we-did-add = Ajouter
we-did-withdraw = Retirer
we-did-none = Rien d'écrit pour l'instant.
complaints-title = Réclamations
complaints-figures = Ce mois-ci : { $logged } notées, { $open } ouvertes, { $overdue } en retard · { $median } heures pour régler (médiane) · à la visite suivante : { $yes } réglées, { $no } non
complaints-none-open = Aucune réclamation ouverte.
complaints-owner = Responsable : { $name }
complaints-due = à régler avant le { $date }
complaints-overdue = en retard depuis le { $date }
complaints-how = Comment a-t-elle été réglée ?
complaints-put-right = Réglée
manage-tab-staff = Personnel
manage-tab-audit = Journal
manage-tab-backups = Sauvegardes
manage-tab-settings = Réglages
programs-title = Programmes de fidélité
program-new = Nouveau programme
program-edit = Modifier
program-edit-title = Modifier « { $program } »
program-pause = Mettre en pause
program-resume = Reprendre
program-retire = Arrêter
program-retire-confirm = Arrêter « { $program } » définitivement ? Il ne donnera plus de tampons ; les récompenses déjà gagnées restent utilisables.
program-kind = Type
program-kind-stamps = Tampons : tant de tampons pour une récompense
program-kind-points = Points : selon le montant dépensé, récompenses par paliers
program-expiry = Les récompenses expirent après (jours)
program-never = Jamais
program-points-per-unit = Points par unité dépensée
program-tiers = Récompenses
program-tier-points = Points
program-tier-add = Ajouter une récompense
program-tier-remove = Retirer
program-gap = Minutes minimum entre deux tampons d’un même membre
program-no-gap = Pas de minimum
program-starts-new = Un autre nombre de tampons ou une autre durée crée un nouveau programme : les membres gardent ce qu’ils ont gagné sur celui-ci.
program-save = Enregistrer
program-expiry-days = les récompenses expirent après { $days } jours
program-gap-minutes = { $minutes } min entre deux tampons
member-erased-name = Membre effacé
member-erased-title = Membre { $code } : données personnelles effacées
member-erased-hint = Effacées le { $date }. La carte et son historique restent, sans nom.
consent-title = Pouvons-nous lui écrire ?
member-birthday = Anniversaire (mois et jour)
member-birthday-hint = MM-JJ
consent-email = Email
consent-sms = SMS
consent-panel = Panel : sollicité de temps en temps pour son avis
consent-yes-since = oui, depuis le { $date }
consent-no-since = non, depuis le { $date }
consent-unasked = pas encore demandé : rien n’est envoyé
consent-yes = Oui
consent-no = Non
member-export-data = Tout ce que nous détenons (fichier)
member-erase = Effacer les données personnelles
member-erase-confirm = Effacer définitivement le nom, l’email, le téléphone et le consentement de { $name } ? La carte et ses tampons restent, sans nom.
members-files-title = Fichiers de membres
campaign-title = Écrire aux membres
campaign-hint = Seuls les membres qui ont dit oui sur ce canal, et y ont une adresse, sont dans le fichier. Le lien au bas de chaque message désinscrit son membre pour de bon.
campaign-segment = Qui
campaign-segment-at-risk = Habitués qui ne viennent plus
campaign-segment-new = Nouveaux membres (30 jours)
campaign-segment-regulars = Habitués (3 visites en 90 jours)
campaign-segment-birthday = Anniversaire ce mois-ci
campaign-segment-panel = Le panel
campaign-channel = Comment
campaign-reach = { $reachable } { $members ->
    [one] membre
   *[other] membres
} sur { $members } peuvent recevoir un message
campaign-left-out = Laissés de côté : { $noConsent } sans leur accord, { $noContact } sans adresse.
campaign-message = Vos mots (tels quels, dans une langue)
campaign-with-coupon = Un bon pour chacun
campaign-coupon-kind = Bon
campaign-coupon-free_item = Un article offert
campaign-coupon-amount_off = Une remise en montant
campaign-coupon-percent_off = Une remise en pourcentage
campaign-coupon-value = Combien d’articles, quel montant ou quel pourcentage
campaign-coupon-text = Ce qu’il dit
campaign-coupon-expires = Dernier jour (90 jours si vide)
coupon-issue-title = Offrir un bon
coupon-issue-for = Pour { $name } (affiché à son prochain passage)
coupon-issue-only-here = Seulement dans cette boutique
coupon-issue-format = Papier du bon
coupon-issue-format-a6 = A6 (imprimante de bureau)
coupon-issue-format-strip-58 = Ticket de caisse, 58 mm
coupon-issue-format-strip-80 = Ticket de caisse, 80 mm
coupon-issue = Offrir et préparer le bon
coupon-issued = Bon { $token }… offert ; il est prêt à imprimer.
campaign-link-base = Adresse des pages de cette caisse, pour les liens de désinscription
campaign-export = Exporter pour mon outil d’e-mails
campaign-exported = { $written } { $written ->
    [one] membre écrit
   *[other] membres écrits
} dans { $file }
members-export = Exporter tous les membres (CSV)
members-import = Importer des membres d’un fichier CSV (Excel)
members-import-written = { $rows } lignes lues ({ $encoding }) : { $added } membres ajoutés.
members-import-read = { $rows } lignes lues ({ $encoding }). Rien n’est enregistré tant que tout le fichier n’est pas correct.
members-import-line = ligne { $line }
members-import-duplicate = Ligne { $line } : même { $field } que { $with }
members-import-allow-duplicates = Les importer quand même (personnes différentes)
members-import-confirm = Importer { $rows } membres
file-open = Ouvrir
settings-title = Réglages de cette caisse
settings-shop-title = La boutique (toutes les caisses de la chaîne)
settings-shop-language = Langue par défaut (écrans, cartes, nouveaux membres)
settings-shop-currency = Devise (trois lettres, comme EUR)
settings-shop-time-zone = Fuseau horaire (les rapports comptent les jours selon lui)
settings-survey-interval = Jours avant de redemander son avis à un membre (90 si vide)
settings-idle = Déconnexion après tant de minutes sans utilisation (0 : jamais)
settings-pin-again = Redemander le code PIN du gérant après (minutes)
settings-sounds = Sons pour les tampons, les récompenses et les refus
settings-card-layout = Les cartes s’impriment d’habitude sur
settings-printer = Imprimante des cartes
settings-printer-default = Celle du système par défaut ({ $name })
settings-pages = Pages de cette caisse sur le réseau de la boutique (adresse:port)
settings-pages-hint = Les liens de désinscription des e-mails de la boutique arrivent ici. Vide : pas de pages. 0.0.0.0:8470 répond à tout le réseau.
settings-save = Enregistrer
settings-saved = Enregistré.
compensation-title = Réclamations : ce que propose la caisse
compensation-hint = Pour chaque type de réclamation, le bon que l'employé peut offrir sur-le-champ. Texte laissé vide : celui de la caisse.
compensation-none = Rien
compensation-value = Valeur
compensation-days = Jours
pin-again-title = Code PIN du gérant
pin-again-hint = Saisissez à nouveau votre code PIN pour ouvrir les écrans du gérant.
pinpad-delete = Effacer
pinpad-clear = Tout effacer
staff-title = Personnel
staff-rename = Renommer
staff-new-pin = Nouveau code PIN
staff-save = Enregistrer
staff-unlock = Débloquer
staff-make-cashier = Passer caissier
staff-make-manager = Passer gérant
staff-deactivate = Désactiver
staff-activate = Réactiver
staff-add-title = Ajouter un membre du personnel
staff-name = Nom
staff-role = Rôle
staff-pin = Code PIN (4 à 8 chiffres)
staff-add = Ajouter
audit-title = Journal d’audit
audit-from = Du
audit-to = Au
audit-none = Rien dans le journal d’audit pour ces jours.
audit-when = Quand
audit-what = Quoi
audit-who = Qui
audit-detail = Détails
backup-title = Sauvegardes
backup-hint = Une sauvegarde est faite chaque jour d’elle-même ; les sept dernières sont gardées. Faites-en une maintenant avant un gros changement.
backup-now = Sauvegarder maintenant
backup-none = Aucune sauvegarde pour l’instant.
backup-restore = Restaurer
backup-restore-confirm = Remettre la sauvegarde du { $when } à la place des données d’aujourd’hui ? Ce qui a été fait depuis n’apparaîtra plus sur cette caisse (les données d’aujourd’hui sont gardées à part dans un fichier). Tout le monde se reconnecte.

## The menu entry of the installed app (scripts/dist.sh writes it into the .desktop file).
desktop-generic-name = Cartes de fidélité
desktop-comment = Cartes à tampons, points et récompenses au comptoir
