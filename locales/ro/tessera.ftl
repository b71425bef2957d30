# Tessera — română. Aceleași id-uri ca în fișierul englez de referință.
# Variantele stau pe rânduri proprii, indentate, după "->" (categorii de plural CLDR).

app-title = Tessera
loading = Se încarcă…
cancel = Anulează
close = Închide
back = Înapoi
next = Înainte

## Languages (each written in its own language)

language-en = English
language-fr = Français
language-it = Italiano
language-ro = Română
language-hu = Magyar

## Prima pornire

setup-welcome = Bun venit în Tessera
setup-intro = Configurează-ți magazinul în trei pași scurți sau încearcă mai întâi cu date demo.
setup-step = Pasul { $step } din { $total }
setup-shop-title = Magazinul tău
setup-shop-name = Numele magazinului
setup-language = Limba
setup-currency = Moneda
setup-manager-title = Primul manager
setup-manager-hint = Managerul creează programele de fidelitate, tipărește cardurile și vede rapoartele.
setup-manager-name = Numele tău
setup-pin = PIN (între 4 și 8 cifre)
setup-pin-again = Repetă PIN-ul
setup-pin-mismatch = Cele două PIN-uri nu coincid.
setup-program-title = Primul tău card cu ștampile
setup-program-name = Numele cardului
setup-program-punches = Ștampile pentru o recompensă
setup-program-reward = Recompensă
setup-program-default-name = Card cafea
setup-program-default-reward = Cafea gratuită
setup-finish = Deschide casa
setup-demo = Încearcă cu date demo
setup-demo-hint = O cafenea cu 40 de membri. Manager: Alex, PIN 1234.
demo-pastry-card = Card patiserie
demo-pastry-reward = Corn gratuit

## Conectare

signin-title = Cine e la casă?
signin-pin = PIN
signin-button = Conectează-te
signout = Deconectează-te

## Ecranul casei

scan-prompt = Scanează un card sau scrie un nume ori un cod
search-placeholder = Nume, telefon, e-mail sau cod
scan-armed = Scanner pregătit
member-since = Membru din { $date }
card-stamps = { $punches } / { $needed }
rewards-ready =
    { $count ->
        [one] { $count } recompensă disponibilă
        [few] { $count } recompense disponibile
       *[other] { $count } de recompense disponibile
    }
reward-ready-named = Recompensă disponibilă: { $reward }!
no-reward = Încă nicio recompensă
action-punch = Pune ștampila
action-redeem = Folosește recompensa
action-undo = Stornează
action-new-member = Membru nou
action-clear = Următorul client
feedback-punched = Ștampilă pusă pe cardul „{ $program }”: { $punches } / { $needed }
feedback-reward-earned = Card complet! Recompensă disponibilă: { $reward }!
feedback-redeemed = Recompensă folosită: { $reward }
feedback-points = { $program }: +{ $points } puncte, { $balance } în total
punch-amount = Suma cheltuită
action-add-points = Adaugă puncte
card-points = { $points } puncte
points-next-reward = Încă { $points } puncte pentru { $reward }
reward-tier = { $reward } ({ $points } puncte)
reward-lapses = expiră pe { $date }
override-title = Ștampilă pusă acum mai puțin de { $minutes } minute
override-hint = Ca să ștampilezi oricum, scrie de ce. Managerul vede asta în jurnal.
override-reason = Motiv
override-confirm = Ștampilează oricum
feedback-undone = Stornat: { $what }
last-action = Ultima acțiune: { $what } · { $time } · { $staff }
search-results =
    { $count ->
        [one] { $count } membru găsit
        [few] { $count } membri găsiți
       *[other] { $count } de membri găsiți
    }
search-none = Niciun membru găsit. Verifică ortografia sau înscrie un membru nou.
search-ambiguous = Se potrivesc mai mulți membri: alege unul.
confirm-repeat-punch = Ștampilat chiar acum. Apasă din nou { key-enter } pentru încă o ștampilă.

## Taste, numite ca pe tastaturile vândute în România

key-enter = Enter
key-esc = Esc
key-ctrl-z = Ctrl+Z
key-r = R
key-arrows = ↑ ↓

## Ce a fost o acțiune, în istoric și la anulare

event-enroll = Înscriere
event-punch =
    { $count ->
        [one] { $count } ștampilă pe cardul „{ $program }”
        [few] { $count } ștampile pe cardul „{ $program }”
       *[other] { $count } de ștampile pe cardul „{ $program }”
    }
event-redeem = Recompensă folosită de pe cardul „{ $program }”
event-void = Storno: { $reason }

## Anulare

undo-title = Stornezi ultima operațiune?
undo-reason = De ce?
undo-reason-wrong-member = Membru greșit
undo-reason-scanned-twice = Scanat de două ori
undo-reason-wrong-card = Card greșit
undo-reason-other = Altceva
undo-confirm = Da, stornează
undo-keep = Nu, las-o așa

## Înscriere

enroll-title = Membru nou
enroll-name = Nume
enroll-email = E-mail (opțional)
enroll-phone = Telefon (opțional)
enroll-language = Limba membrului
enroll-submit = Înscrie
enroll-done = Bun venit, { $name }!
enroll-code = Cod de membru
enroll-code-hint = Deocamdată scrie acest cod pe un card: cardurile tipărite se fac din ecranul managerului.
enroll-open = Deschide fișa membrului

## Linia de comandă

cli-shop-ready = Magazinul „{ $shop }” este gata. Manager: { $manager }.
# Fără număr + substantiv: după 20 ar trebui „de”.
program-terms-stamps = { $needed } ștampile → { $reward }
program-terms-points = { $points } puncte pe unitate cheltuită: { $tiers }
program-status-active = activ
program-status-paused = în pauză
program-status-retired = încheiat
cli-program-replaced = Înlocuiește programul { $old }, acum încheiat: membrii păstrează ce au câștigat în el.
cli-member-added = Membru nou: { $name }. Cod: { $code }
cli-no-members = Niciun membru găsit.
cli-member-erased = Membrul { $code }: date personale șterse.
cli-consent-yes = da (din { $date })
cli-consent-no = nu (din { $date })
cli-consent-unasked = neîntrebat
cli-member-birthday = zi de naștere: { $day }
cli-campaign-done = Campania { $segment }: { $written } din { $members } { $members ->
    [one] membru
    [few] membri
   *[other] de membri
} contactați
cli-campaign-left-out = lăsați deoparte: { $no_consent } fără acordul lor, { $no_contact } fără adresă
cli-campaign-file = scrisă în { $file }
cli-campaign-sent = { $sent ->
    [one] { $sent } e-mail trimis
    [few] { $sent } e-mailuri trimise
   *[other] { $sent } de e-mailuri trimise
}, { $refused } refuzate de serverul de e-mail
cli-serving = Paginile magazinului răspund la { $url } (Ctrl+C le oprește)
mail-subject = Noutăți de la { $shop }
mail-subject-coupon = { $shop }: { $offer } pentru tine
mail-greeting = Bună, { $name },
mail-coupon = Pentru tine: { $text } ({ $offer }), valabil până la { $date }. Este deja pe cardul tău de fidelitate: arată cardul la casă sau voucherul atașat.
mail-coupon-no-expiry = Pentru tine: { $text } ({ $offer }). Este deja pe cardul tău de fidelitate: arată cardul la casă sau voucherul atașat.
mail-footer = Primești acest e-mail pentru că ai acceptat să primești vești de la { $shop }. Ca să nu mai primești: { $link }
mail-footer-no-link = Primești acest e-mail pentru că ai acceptat să primești vești de la { $shop }. Ca să nu mai primești, spune-ne la casă.
mail-voucher-file = voucher
page-unsubscribe-email = Nu mai primești e-mailuri de la { $shop }?
page-unsubscribe-sms = Nu mai primești SMS-uri de la { $shop }?
page-unsubscribe-panel = Părăsești panelul { $shop }? Nu te vom mai întreba de părere.
page-unsubscribe-button = Da, nu mai vreau
page-unsubscribe-done = Gata: { $shop } nu îți va mai scrie așa. Te poți răzgândi la casă.
page-not-ready = Paginile magazinului nu sunt gata. Încearcă din nou peste puțin timp.
page-survey-visits = Vă mulțumim pentru { $visits ->
        [one] vizita
       *[other] cele { $visits } vizite
    } la { $shop }.
page-survey-favourite = Cardul dumneavoastră la noi: { $program }.
page-survey-nps = Cât de probabil este să recomandați { $shop } unui prieten?
page-survey-nps-low = Deloc probabil
page-survey-nps-high = Foarte probabil
page-survey-topic = Ce contează cel mai mult pentru dumneavoastră la noi?
page-survey-topic-score = Și cât de mulțumit sunteți de asta?
page-survey-score-low = Nemulțumit
page-survey-score-high = Foarte mulțumit
page-survey-comment = Vreți să ne spuneți ceva? (opțional)
page-survey-send = Trimite
page-survey-done = Mulțumim! Răspunsurile dumneavoastră ajută { $shop } să fie mai bun.
page-survey-we-did = Ați spus, am făcut
topic-quality = Calitatea
topic-service = Amabilitatea
topic-speed = Să nu aștept
topic-price = Raportul calitate-preț
topic-cleanliness = Curățenia
topic-choice = Varietatea
cli-import-written = { $rows } rânduri citite ({ $encoding }): { $added } membri adăugați.
cli-import-read = { $rows } rânduri citite ({ $encoding }): nu s-a salvat nimic.
cli-import-problem = Rândul { $line }, { $field }: { $error }
cli-import-line = rândul { $line }
cli-import-duplicate = Rândul { $line }: același { $field } ca { $with }
cli-file-written = Scris: { $file }
cli-shop-local-time = fusul orar al acestui calculator
cli-voided = Stornat. Motiv: { $reason }
cli-doctor-ok = Totul e în regulă.
cli-doctor-problems = Probleme găsite: { $count }.
cli-doctor-rebuilt = Soldurile cardurilor și cifrele rapoartelor au fost recalculate din istoric.
cli-doctor-progress = Se verifică… { $done } din { $total } verificări făcute
cli-doctor-everything = A fost verificată toată baza de date.
cli-doctor-since = Au fost verificate { $count ->
        [one] evenimentul
        [few] cele { $count } evenimente
       *[other] cele { $count } de evenimente
    } de la ultima verificare fără probleme ({ $date }) și ce au schimbat. `tessera doctor --full` verifică tot.

## Ecranul managerului

manage-open = Manager
manage-back = Înapoi la casă
print-title = Tipărește carduri de fidelitate
print-layout = Hârtie
print-layout-cr80 = Imprimantă de carduri (un card pe pagină)
print-layout-a4 = Foaie A4 cu 10 cărți de vizită
print-who = Carduri pentru
print-who-all = Toți membrii
print-who-member = Doar { $name }
print-language = Limba de pe carduri
print-language-member = Limba fiecărui membru
print-button = Creează PDF-ul
print-progress = { $done } / { $total }
print-done =
    { $count ->
        [one] { $count } card gata.
        [few] { $count } carduri gata.
       *[other] { $count } de carduri gata.
    }
print-open = Deschide
print-send = Tipărește
print-show-folder = Arată în dosar
print-sent = Trimis la { $printer } (lucrarea { $job }).
print-default-printer = imprimanta implicită
print-test-page = Pagină de test pentru imprimantă
scanner-test-title = Test scanner
scanner-test-hint = Scanează orice card: aici vezi ce a tastat scannerul și cum l-a citit Tessera.
scanner-test-arrived = Primit
scanner-test-keys = Taste apăsate
scanner-test-readings = Citit ca
scanner-test-source-key-codes = din tastele apăsate
scanner-test-source-as-typed = așa cum a fost tastat
scanner-test-source-layout = ca un scanner US pe o tastatură { $layout }
# Aranjamente de tastatură, citite în scanner-test-source-layout: „o tastatură germană”.
keyboard-layout-us = americană (US)
keyboard-layout-fr = franceză
keyboard-layout-be = belgiană
keyboard-layout-de = germană
keyboard-layout-hu = maghiară
keyboard-layout-it = italiană
keyboard-layout-ro = română (standard)
scanner-test-result = Rezultat
scanner-test-found = Card găsit: { $name }
card-replace-title = Card: { $name }
card-replace-button = Înlocuiește un card pierdut
card-replace-confirm = Cardul vechi va fi refuzat de acum înainte. Membrul își păstrează toate ștampilele și recompensele.
card-replace-done = Card nou: { $code }. Tipărește-l în stânga; cardul vechi este refuzat de acum înainte.

## Printed cards

card-tagline = Arată acest card la casă ca să aduni ștampile.
card-test-title = Test de imprimare: rigla trebuie să măsoare exact 100 mm.
card-test-hint = Dacă nu, dezactivează „potrivire la pagină” în fereastra de imprimare.
card-test-sample = Card de probă
cli-card-revoked = Cardul { $code } a fost anulat.
cli-card-issued = Card pentru { $name }: { $code }
cli-cards-written = { $count -> 
        [one] Un card scris în { $file }
        [few] { $count } carduri scrise în { $file }
       *[other] { $count } de carduri scrise în { $file }
    }
cli-printed = Trimis la { $printer } (lucrarea { $job }).
cli-printer-default = imprimanta implicită
cli-printers-none = Serviciul de imprimare al acestui calculator nu cunoaște nicio imprimantă.
cli-printer-is-default = (implicită)

## Erori

error-shop-not-set-up = Magazinul nu este încă configurat. Pornește configurarea inițială.
error-shop-already-set-up = Acest magazin este deja configurat.
error-empty-field = Completează { $field ->
        [shop_name] numele magazinului
        [reward] recompensa
        [reason] motivul
       *[other] numele
    }.
error-too-long = Textul e prea lung: numărul maxim de caractere este { $max }.
error-invalid-email = Adresa de e-mail nu pare corectă.
error-invalid-phone = Numărul de telefon nu pare corect.
error-invalid-language = Această limbă nu este disponibilă.
error-invalid-currency = Moneda este un cod din trei litere, de exemplu RON sau EUR.
error-invalid-time-zone = Acesta nu este un fus orar. Scrie-l ca în baza tz, de exemplu Europe/Bucharest sau Europe/Paris.
error-invalid-period = Perioada începe după ce se termină. Alege o primă zi cel târziu în ultima zi.
error-event-time-out-of-range = Ora acestui eveniment este în afara anilor 1677–2262, pe care registrul nu îi poate păstra. Verifică ceasul casei care l-a scris.
error-invalid-pin = PIN-ul are între 4 și 8 cifre.
error-invalid-punches-needed = Numărul de ștampile pe card trebuie să fie între 1 și { $max }.
error-invalid-count = Numărul de ștampile puse deodată trebuie să fie între 1 și { $max }.
error-program-not-found = Acest program de fidelitate nu există.
error-invalid-number = { $field ->
        [points_per_unit] Punctele pe unitate cheltuită sunt între { $min } și { $max }.
        [tier_points] O recompensă costă între { $min } și { $max } puncte.
        [reward_days] O recompensă poate dura între { $min } și { $max } zile.
        [min_gap_minutes] Timpul dintre două ștampile este între { $min } și { $max } minute.
        [amount] Scrie suma cheltuită, de exemplu 12,50.
        [idle_sign_out_minutes] Deconectarea se setează între { $min } și { $max } minute.
        [pin_again_minutes] PIN-ul se cere din nou după { $min }–{ $max } minute.
       *[other] Scrie un număr între { $min } și { $max }.
    }
error-invalid-tiers = Un program cu puncte are între 1 și 10 recompense, fiecare la alt număr de puncte.
error-program-retired = Acest program este încheiat: nu mai dă ștampile și nu mai poate fi schimbat. Recompensele deja câștigate pot fi folosite în continuare.
error-punch-too-soon = Acest membru a primit o ștampilă acum mai puțin de { $minutes } minute. Ca să ștampilezi oricum, scrie de ce.
error-amount-required = Acest program dă puncte după suma cheltuită: scrie suma.
error-no-points-for-amount = Suma aceasta nu aduce niciun punct.
error-reward-required = Alege recompensa.
error-program-inactive = Acest program de fidelitate este în pauză: nicio ștampilă până când un manager îl reia.
error-program-required = Magazinul are mai multe carduri: alege unul.
error-no-active-program = Nu există niciun program de fidelitate activ. Un manager poate adăuga unul.
error-member-not-found = Acest membru nu există.
error-member-erased = Datele personale ale acestui membru au fost șterse.
error-csv-no-name-column = Fișierul nu are o coloană de nume: primul rând trebuie să numească coloanele (nume, email, telefon…).
error-file-unreadable = { $path } nu poate fi citit. Verifică numele fișierului și că este acolo.
error-unknown-code = Niciun membru nu are acest cod. Verifică cardul sau înscrie clientul.
error-mistyped-code = Codul are o greșeală de tastare. Verifică fiecare caracter și încearcă din nou.
error-not-a-code = Acesta nu este un cod de membru.
error-card-replaced = Acest card a fost înlocuit pe { $date }: cere cardul nou.
error-card-revoked = Acest card a fost anulat pe { $date }. Un manager poate emite unul nou.
error-forged-card = Acest card nu este autentic: codul lui nu se verifică.
error-unknown-card-key = Acest card vine de la un magazin pe care această casă nu îl cunoaște încă. Sincronizează casa, apoi scanează din nou.
error-truncated-card = Cardul a fost citit doar parțial. Scanează-l din nou.
error-invalid-layout = Alege un format: cr80 (imprimantă de carduri) sau a4-10 (foaie A4 cu 10).
error-nothing-to-redeem = Încă nu există nicio recompensă de folosit.
error-coupon-not-card = Acesta este un cupon, nu un card de fidelitate: folosește-l cu „Folosește cuponul”.
error-not-a-coupon = Acesta nu este un cupon.
error-forged-coupon = Acest cupon nu este autentic (modificat sau citit greșit): scanează-l din nou sau refuză-l.
error-unknown-coupon-key = Acest cupon vine de la o casă cu care aceasta nu s-a sincronizat încă: sincronizează, apoi scanează-l din nou.
error-truncated-coupon = Cuponul a fost citit doar în parte: scanează-l din nou.
error-coupon-used = Acest cupon a fost deja folosit pe { $date }.
error-coupon-expired = Acest cupon a expirat pe { $date }.
error-coupon-withdrawn = Acest cupon a fost retras pe { $date }.
error-coupon-other-shop = Acest cupon este valabil doar în magazinul care l-a dat.
error-coupon-not-found = Cuponul nu a fost găsit.
error-expiry-past = Ultima zi a unui cupon este azi sau mai târziu (înainte de 2109).
error-coupon-charge-back = Un cupon folosit de două ori nu are o recompensă următoare din care să fie scăzut: acceptă pierderea.
error-complaint-not-found = Reclamația nu a fost găsită.
error-complaint-compensated = Această reclamație are deja cuponul ei.
error-no-compensation = Regulile magazinului nu propun niciun cupon pentru acest tip de reclamație.
error-complaint-resolved = Această reclamație este deja rezolvată.
error-follow-up-answered = Membrul a răspuns deja despre această reclamație.
error-event-not-found = Acțiunea nu a fost găsită.
error-already-voided = Această operațiune a fost deja stornată.
error-not-voidable = Doar ștampilele și recompensele folosite pot fi stornate.
error-reward-already-redeemed = Recompensa pentru aceste ștampile a fost deja folosită: stornează mai întâi folosirea ei.
error-nothing-to-undo = Nu există nicio operațiune de stornat. Poți storna doar propriile operațiuni recente; pe cele mai vechi le corectează un manager.
error-reason-required = Te rugăm să indici un motiv.
error-staff-not-found = Nimeni din personal nu are acest nume.
error-staff-name-taken = Cineva din personal are deja acest nume.
error-wrong-pin = Nume sau PIN greșit. Încearcă din nou.
error-sign-in-wait = Prea multe PIN-uri greșite. Încearcă din nou peste { $seconds } s.
error-sign-in-locked = Prea multe PIN-uri greșite: acest nume este blocat. Un manager îl deblochează în Manager › Personal.
error-last-manager = Magazinul trebuie să păstreze cel puțin un manager activ. Numește mai întâi pe altcineva manager.
error-restore-in-chain = Această copie este a unei case dintr-un lanț: nu poate fi încă restaurată (hubul are deja ce a făcut această casă de atunci). Nu s-a schimbat nimic. Alătură-te din nou lanțului ca o casă nouă: datele ei revin prin sincronizare.
error-manager-only = Doar un manager poate face asta.
error-pin-again = Scrie din nou PIN-ul ca să deschizi ecranele managerului.
error-database-locked = Baza de date este ocupată de alt program: operațiunea NU a fost salvată. Închide celălalt program și încearcă din nou.
error-store-unwritable = Tessera nu poate scrie în baza de date ({ $path }): operațiunea NU a fost salvată. Verifică dacă discul este conectat și dacă fișierul nu este doar în citire.
error-store-corrupt = Fișierul bazei de date este deteriorat: nu se mai poate salva nimic. Nu-l șterge; sună la asistență.
error-disk-full = Discul este plin: operațiunea NU a fost salvată. Eliberează spațiu și încearcă din nou.
error-open-failed = Niciun program nu a putut deschide acest fișier: { $path }
error-printing-unavailable = Acest calculator nu are serviciu de imprimare. Deschide PDF-ul și tipărește-l din vizualizator sau instalează CUPS.
error-print-failed = Imprimanta a refuzat lucrarea ({ $detail }). Verifică imprimanta în Setări sau deschide PDF-ul și tipărește-l din vizualizator.
error-storage-error = Ceva n-a mers: operațiunea NU a fost salvată. Încearcă din nou; dacă se repetă, sună la asistență.

error-sign-in-required = Conectează-te mai întâi.
error-unexpected = S-a întâmplat ceva neașteptat. Încearcă din nou.

## The till, safe under pressure
menu-about = Despre Tessera
about-title = Despre Tessera
about-version = Versiunea { $version }
about-database = Baza de date
about-logs = Jurnale
about-fonts = Fonturi
about-libraries = { $count } biblioteci
till-menu = Meniu
scan-last = Ultima scanare { $time }
scan-paused = Cititorul e în pauză: atinge ecranul
not-saving-title = Nu se salvează nimic
not-saving-file = Fișierul bazei de date: { $path }
saving-wait = Se salvează… baza de date este ocupată.
redeem-confirm-title = Oferi „{ $reward }” pentru { $name }?
redeem-confirm-hint = { key-enter }: da, oferă · { key-esc }: nu acum
redeem-confirm-yes = Da, oferă recompensa
redeem-confirm-no = Nu acum
undo-at = { $what } · { $time }
undo-window = { $minutes ->
        [one] Poți storna propriile operațiuni din ultimul minut.
        [few] Poți storna propriile operațiuni din ultimele { $minutes } minute.
       *[other] Poți storna propriile operațiuni din ultimele { $minutes } de minute.
    } Pe cele mai vechi le corectează un manager.
undo-other-placeholder = Ce s-a întâmplat?
enroll-duplicates-title = Este deja membru?
enroll-duplicates-hint = Acești membri au același nume, același e-mail sau același număr de telefon.
enroll-duplicate-open = Deschide acest membru
enroll-anyway = Altă persoană: înscrie
enroll-submit-stamp = Înscrie și pune ștampila
db-missing-title = Baza de date a magazinului lipsește
db-missing-new = Creează un magazin nou aici
db-missing-hint = Dacă fișierul a fost mutat sau este pe un disc neconectat, pune-l la loc și repornește Tessera.
search-pick-hint = { key-arrows }: alege · { key-enter }: deschide
error-database-gone = Fișierul bazei de date a fost șters sau mutat cât timp Tessera era deschis ({ $path }). Operațiunea NU a fost salvată și nimic nu va fi salvat până nu revine fișierul: închide Tessera și pune fișierul la loc.
error-database-missing = Baza de date a magazinului lipsește: { $path }. A mai fost folosită pe acest calculator.
error-likely-duplicate = { $name } ({ $code }) poate fi aceeași persoană. Verifică înainte de a o înscrie a doua oară.
feedback-not-saved = Operațiunea NU a fost salvată (vezi mai sus).
error-not-a-tessera-database = Acest fișier nu este o bază de date Tessera: { $path }. Tessera nu l-a modificat. Alege fișierul bazei de date a casei.
error-database-too-new = Această bază de date a fost creată de o versiune mai nouă de Tessera (schema { $found }; această versiune cunoaște până la { $supported }). Instalează versiunea mai nouă; baza de date nu a fost modificată.
error-database-damaged = Structura bazei de date nu este cea creată de Tessera: nu s-a modificat nimic. Păstrează fișierul și sună la asistență.
error-invalid-characters = Textul conține caractere care nu pot fi tipărite sau afișate. Scrie-l din nou.
error-file-unwritable = Tessera nu poate scrie fișierul { $path }. Verifică dacă dosarul există și nu este doar în citire, apoi încearcă din nou. Baza de date a magazinului nu este afectată.
error-internal-error = S-a întâmplat ceva neașteptat în Tessera: operațiunea NU a fost făcută. Încearcă din nou; dacă se repetă, sună la asistență (cauza este notată în jurnalul Tessera).
error-invalid-arguments = Comanda este incompletă sau nu a fost înțeleasă: { $detail }

## Sync with the chain
error-invalid-hub-url = „{ $url }” nu este adresa unui hub. Arată ca https://hub.exemplu.ro (cere-o celui care administrează hubul lanțului).
error-insecure-hub-url = { $url } nu este criptată. Un hub de pe alt calculator se accesează prin HTTPS: folosește o adresă https://.
error-invalid-certificate = Fișierul de certificat de acceptat nu este un certificat PEM (începe cu „-----BEGIN CERTIFICATE-----”).
error-hub-unreachable = Hubul { $url } nu poate fi contactat. Casa lucrează mai departe offline și trimite totul când revine conexiunea.
error-hub-token-refused = Hubul nu acceptă tokenul acestei case ({ $reason }). Cere unul nou celui care administrează hubul; nimic nu se pierde pe această casă.
error-hub-refused = Hubul a refuzat ({ $reason }). Nimic nu se pierde pe această casă; dacă se repetă, sună la asistență.
error-not-in-chain = Această casă nu face încă parte dintr-un lanț. Alătură-te mai întâi unuia (Setări › Sincronizare sau „tessera join”).
error-already-in-chain = Această casă face deja parte dintr-un lanț. O casă se sincronizează cu un singur hub.
cli-join-done = Această casă este acum casa { $device } a „{ $shop }” în lanțul de la { $hub }.
cli-sync-done = Sincronizat: { $sent } trimise, { $received } primite.
cli-sync-rejected = Hubul a refuzat { $count } elemente ale acestei case: vezi „tessera sync status”. Nimic altceva nu este blocat.
cli-sync-code-clashes = { $count } membri din alte magazine au un cod de card pe care îl are deja un membru de aici (coduri create înainte de alăturarea la lanț). Sunt puși deoparte pentru un manager.
cli-sync-not-in-chain = Această casă nu face parte dintr-un lanț.
cli-sync-status = Hub { $hub } · casa { $device } · în așteptare: { $events } evenimente, { $changes } modificări.
cli-sync-last = Ultima sincronizare: { $at }.
cli-sync-never = Încă nesincronizată.
cli-sync-last-error = Ultima încercare a eșuat: { $code }.
cli-sync-code-clash = ⚠ Cardul { $code }: „{ $name }” de la alt magazin are același cod ca „{ $holder }” de aici. Reemite unul dintre cele două carduri.
error-no-such-conflict = Această revendicare nu este în conflict sau un manager a rezolvat-o deja. Sincronizează, apoi uită-te din nou la conflicte.
event-forgive = Conflict rezolvat, pierdere acceptată: { $reason }
event-charge-back = Conflict rezolvat, următoarea recompensă îl plătește: { $reason }
cli-conflicts-none = Niciun conflict.
cli-conflict = { $id }  { $member } ({ $code }) · { $program } · revendicată la { $shop } pe { $at } · sold { $balance }
sync-line-online = Online
sync-line-offline = Offline
sync-line-failing = Sincronizare refuzată
sync-line-not-yet = Încă nesincronizată
sync-at = sincronizată la { $time }
sync-waiting =
    { $count ->
        [one] 1 în așteptare
        [few] { $count } în așteptare
       *[other] { $count } în așteptare
    }
sync-title = Sincronizare cu lanțul
sync-hub = Hub
sync-device = Numărul casei
sync-line = Conexiune
sync-last = Ultima sincronizare
sync-never = Niciodată
sync-waiting-label = În așteptare de trimis
sync-rejected = Refuzate de hub
sync-code-clashes = Coduri de card comune cu un membru al altui magazin
sync-now = Sincronizează acum
sync-join-title = Alătură-te unui lanț
sync-join-hint = Cere celui care administrează hubul lanțului adresa lui și un token pentru această casă. Programele, personalul și membrii lanțului vin pe această casă.
sync-join-hub = Adresa hubului
sync-join-token = Tokenul acestei case
sync-join = Alătură-te
setup-join = Alătură-te unui lanț
setup-join-hint = Acest magazin face parte dintr-un lanț care are un hub.
conflicts-title = Conflicte
conflicts-none = Niciun conflict.
conflict-line = { $program }: o recompensă în plus, revendicată la { $shop } la { $time }
conflict-reason = Motiv
conflict-accept = Acceptă pierderea
conflict-charge-back = Scade-o din următoarea recompensă
conflict-coupon = Cuponul „{ $coupon }”
conflict-coupon-line = { $coupon }: folosit deja o dată, folosit din nou la { $shop } la { $time }
error-hub-certificate-untrusted = Hubul { $url } prezintă un certificat în care această casă nu are încredere. Dacă este certificatul lanțului tău, dă-i casei fișierul lui (tessera join --trust FIȘIER); altfel verifică adresa.
error-already-one-member = Acești doi sunt deja un singur membru.
event-merge = Unit cu un duplicat al acestui membru
event-coupon-redeem = Cupon folosit

## Coupons
coupon-free-item = { $count ->
    [one] Un produs gratuit
    [few] { $count } produse gratuite
   *[other] { $count } de produse gratuite
}
coupon-amount-off = Reducere de { $amount }
coupon-percent-off = Reducere de { $percent } %
coupon-until = Valabil până la { $date }
coupon-no-expiry = Fără dată de expirare
coupon-only-issuing-shop = Valabil doar în magazinul care l-a dat
coupon-ready = Gata de folosit
coupon-for = Pentru { $member }
feedback-coupon-scanned = Cupon: { $offer }. Apasă Enter pentru a-l folosi.
feedback-coupon-used = Cupon folosit: { $offer }
action-use-coupon = Folosește cuponul
member-coupons = { $count ->
    [one] Un cupon de folosit
    [few] { $count } cupoane de folosit
   *[other] { $count } de cupoane de folosit
}
cli-coupon-used = Cupon folosit: { $offer }
voucher-fine-print = Valabil o singură dată. Cupon { $id }
slip-headline = Spuneți-ne părerea dumneavoastră
slip-offer = Trei întrebări scurte, un minut
slip-until = Link valabil până la { $date }
slip-fine-print = Scanați codul cu camera telefonului sau deschideți { $link }
cli-voucher-written = Cupon salvat în { $file }
cli-slip-written = Bilet de chestionar salvat în { $file }

## Complaints
compensation-quality = Un produs la alegere, din partea casei
compensation-service = O cafea din partea casei, cu scuzele noastre
compensation-wait = 10 % reducere, pentru așteptare
compensation-apology = Cu scuzele noastre
cli-complaint-proposal = Regula magazinului propune un cupon: „{ $coupon }” (tessera complaint compensate ID)
cli-complaints-none = Nicio reclamație deschisă.
cli-follow-up-none = Nimic de întrebat acest membru.
cli-compensation-rule = { $category }: { $offer }, valabil { $days } zile · „{ $text }”
cli-compensation-none = { $category }: nu se propune nimic
cli-survey-due = Acest membru poate fi întrebat de părere acum.
cli-survey-not-due = Nu acum: acest membru nu este în panel sau a fost întrebat de curând.
cli-survey-answered = Mulțumim: răspunsurile sunt păstrate.
cli-we-did-none = Nimic scris încă.
follow-up-question = Data trecută acest membru a făcut o reclamație. S-a rezolvat problema?
complaint-anonymous = Anonim
complaint-put-right = Rezolvată, spune membrul
complaint-not-put-right = Nerezolvată, spune membrul
complaint-resolved = Rezolvată
complaint-due = Deschisă, termen { $date }
complaint-category-quality = Calitate
complaint-category-service = Servire
complaint-category-wait = Așteptare
complaint-category-price = Preț sau notă
complaint-category-cleanliness = Curățenie
complaint-category-other = Altceva
complaint-severity-low = Minoră
complaint-severity-medium = Serioasă
complaint-severity-high = Foarte serioasă
action-complaint = Reclamație
complaint-title = O reclamație
complaint-for = Despre { $member }
complaint-anonymous-hint = Cineva care nu e membru (nimeni nu e numit)
complaint-category = Despre ce?
complaint-severity = Cât de gravă?
complaint-note = Ce s-a întâmplat, în câteva cuvinte
complaint-log = Înregistrează
complaint-logged = Înregistrată: e a ta până se rezolvă, până pe { $due }.
complaint-proposal = Magazinul oferă: { $coupon }
complaint-give = Dă cuponul
complaint-not-now = Nu acum
feedback-coupon-given = Cupon dat: { $offer }
follow-up-yes = Da, rezolvată
follow-up-no = Nu
feedback-follow-up-thanks = Mulțumim: răspunsul e păstrat.
survey-offer = În panel: îl întrebați de părere?
survey-offer-hint = Trei întrebări scurte, pe ecranul clientului sau pe un bilet pentru telefon.
survey-ask = Întreabă
feedback-survey-on-screen = Chestionarul este pe ecranul clientului.
survey-slip = Tipărește un bilet
action-survey-slip = Bilet de chestionar
feedback-slip-printed = Biletul de chestionar se tipărește: înmânați-l împreună cu bonul.
error-no-follow-up = Nimic de întrebat acest membru la această vizită.
cli-report-complaints = Reclamații { $from } – { $to }: { $logged } primite, { $resolved } rezolvate, { $open } deschise ({ $overdue } întârziate)
cli-report-complaints-hours = Ore până la rezolvare: mediana { $median }, cel mai mult { $max } · la vizita următoare: { $yes } rezolvate, { $no } nu
cli-report-surveys = Chestionare { $from } – { $to }: { $asked } cerute, { $answered } completate · NPS { $nps }
cli-report-surveys-topic = { $topic }: contează cel mai mult pentru { $share } %, mulțumire { $satisfaction } / 5
cli-report-surveys-topic-act = { $topic }: contează cel mai mult pentru { $share } %, mulțumire { $satisfaction } / 5 ← de îmbunătățit

member-new-here = Nou în acest magazin
member-new-here-hint = Un card al lanțului: ștampilele sunt păstrate, datele membrului sosesc la următoarea sincronizare.
merge-title = Aceeași persoană înscrisă de două ori?
merge-hint = Tastează sau scanează celălalt card: ștampilele lui trec pe cardul lui { $name }, iar ambele carduri funcționează în continuare.
merge-other = Celălalt card
merge-button = Unește cu { $name }
merge-done = Unit: ambele carduri duc acum la { $name }.

## Staff and the audit trail
staff-role-manager = manager
staff-role-cashier = casier
staff-inactive = dezactivat
staff-locked = blocat
cli-staff-saved = Salvat.
cli-audit-none = Nimic în jurnalul de audit pentru aceste date.
cli-report-summary-title = Rezumat de la { $from } la { $to } (zile după { $zone })
cli-report-returning = Membri care au revenit: { $count }
cli-report-rewards-given = Recompense oferite: { $count }
cli-report-new-members = Membri noi: { $count }
cli-report-visits-per-week = Vizite pe săptămână:
cli-report-program = { $program } ({ $kind }): { $punches } ștampile, { $earned } recompense câștigate, { $redeemed } folosite
cli-report-retention-title = Membri noi care au revenit, după luna înscrierii, de la { $from } la { $to } (zile după { $zone }); … = încă se numără
cli-report-cohort = { $month }: { $count } noi · în 30 de zile { $d30 } · 60 de zile { $d60 } · 90 de zile { $d90 }
cli-report-at-risk-title = Clienți fideli absenți de două ori intervalul lor obișnuit la { $date } ({ $zone }): { $count }
cli-report-at-risk-member = { $code }  { $name }: { $visits } vizite, de obicei la { $usual } zile, ultima pe { $last } (acum { $away } zile)
cli-report-staff-title = Personal de la { $from } la { $to } (zile după { $zone })
cli-report-staff-member = { $name }: { $enrolments } înscrieri, { $punches } ștampile, { $redemptions } recompense, { $voids } anulări, { $overrides } excepții, { $cancelled } dintre ale sale anulate, { $complaints_logged } reclamații notate, { $complaints_resolved } rezolvate, { $feedback } chestionare completate
cli-dev-seeded = Am generat { $members } membri și { $events } evenimente.
cli-dev-storm-written = Scris: { $kind } { $event }
cli-dev-seed-progress = { $done } / { $members } membri, { $events } evenimente…
cli-about-version = Tessera { $version }
cli-about-database = Baza de date: { $path }
cli-about-logs = Jurnale: { $path }
cli-about-licences = Construit cu { $libraries } biblioteci și fonturile DejaVu; licențele lor: tessera about --licences
cli-backup-taken = Copie de siguranță scrisă: { $path } ({ $size } KB).
cli-restored = Restaurat din { $path }.
cli-restore-kept = Baza de date înlocuită este păstrată la { $path }.
audit-kind-pin-failed = PIN greșit
audit-kind-sign-in-locked = Blocat după PIN-uri greșite
audit-kind-staff-unlocked = Deblocat
audit-kind-staff-added = Membru al personalului adăugat
audit-kind-staff-renamed = Membru al personalului redenumit
audit-kind-staff-role-changed = Rol schimbat
audit-kind-pin-set = PIN setat
audit-kind-staff-deactivated = Membru al personalului dezactivat
audit-kind-staff-reactivated = Membru al personalului reactivat
audit-kind-program-changed = Program modificat
audit-kind-backup-taken = Copie de siguranță făcută
audit-kind-restored = Copie de siguranță restaurată
audit-kind-members-exported = Membri exportați
audit-kind-members-imported = Membri importați
audit-kind-member-erased = Datele unui membru șterse
audit-kind-member-data-exported = Datele unui membru exportate
audit-kind-campaign-run = Campanie trimisă membrilor
audit-kind-void = Anulat
audit-kind-forgive = Conflict acceptat
audit-kind-charge-back = Conflict recuperat
audit-kind-settings-changed = Setările casei modificate
audit-kind-override = Ștampilă dată mai devreme decât se permite
error-invalid-date = Aceasta nu este o dată: scrie-o AAAA-LL-ZZ, de exemplu 2026-03-31.
error-invalid-birthday = Aceasta nu este o zi de naștere: scrie luna și ziua LL-ZZ, de exemplu 03-31, sau 31.03.
error-unsubscribe-link-invalid = Acest link nu este al nostru sau îi lipsește o parte. Copiază linkul întreg din e-mail sau întreabă-ne la casă.
error-invalid-link-base = Scrie adresa paginilor magazinului cu http:// sau https://, de exemplu https://magazin.example:8470.
error-invalid-segment = Acest grup de membri nu există: at-risk, new, regulars, birthday sau panel.
error-invalid-channel = Acest canal nu există: email sau sms.
error-invalid-pages-address = Scrie unde să fie servite paginile ca adresă:port, de exemplu 0.0.0.0:8470 (toată rețeaua magazinului), sau lasă gol.
error-pages-unavailable = Paginile nu pot fi servite pe { $address }: poate că alt program îl folosește deja. Alege alt port.
error-invalid-mail-server = { $url } nu este adresa unui server de e-mail: scrie smtps://utilizator:parola@mail.example sau smtp://…?tls=required.
error-insecure-mail-server = { $url } nu este criptat: adresele membrilor și parola ar trece necriptate prin rețea. Folosește smtps:// sau adaugă ?tls=required.
error-invalid-sender = Scrie adresa expeditorului ca Nume <adresa@example.com>.
error-campaign-not-found = Nicio campanie trimisă prin e-mail nu are acest id.
error-pages-not-served = Paginile magazinului nu sunt servite în rețeaua sa: un manager le setează adresa în setări (de exemplu 0.0.0.0:8470).
error-compensation-rule-twice = O singură regulă pentru fiecare tip de reclamație ({ $category }).
error-survey-link-invalid = Acest link de chestionar nu este al acestui magazin sau a fost modificat.
error-survey-answered = Acest chestionar a primit deja răspuns. Mulțumim!
error-survey-expired = Acest link de chestionar este prea vechi.
error-not-on-panel = Acest membru nu a acceptat să fie întrebat de părere.
error-survey-asked-recently = Acest membru a fost întrebat de părere de curând: din nou de la { $date }.
error-invalid-survey-answer = Vă rugăm să răspundeți { $field ->
        [nps] la prima întrebare, de la 0 la 10
        [topic] cu una dintre variante
       *[other] cât de mulțumit sunteți, de la 1 la 5
    }.
error-invalid-survey-interval = Zilele dintre două chestionare ale unui membru trebuie să fie între 1 și 3650.
error-we-did-not-found = Nu există această intrare „Ați spus, am făcut”.
error-mail-server-unreachable = Serverul de e-mail { $url } nu poate fi contactat: { $sent } trimise, { $waiting } în așteptare. Trimite restul mai târziu cu: tessera campaign resume { $campaign } (nimeni nu primește același e-mail de două ori).
manage-tab-cards = Carduri și sincronizare
manage-tab-programs = Programe
manage-tab-members = Membri
manage-tab-reports = Rapoarte
manage-tab-feedback = Păreri
reports-title = Programul păstrează clienții?
reports-from = De la
reports-to = Până la
reports-this-month = Luna aceasta
reports-counting = Se numără…
reports-days-in = Zile după { $zone }.
reports-returning = Membri care au revenit
reports-rewards = Recompense oferite
reports-new = Membri noi
reports-visits-per-week = Vizite pe săptămână
reports-visits = Vizite
reports-programs = Programe
reports-program = Program
reports-punches = Ștampile
reports-earned = Recompense câștigate
reports-redeemed = Recompense oferite
reports-unit-points =
    { $count ->
        [one] punct
        [few] puncte
        *[other] de puncte
    }
reports-unit-stamps =
    { $count ->
        [one] ștampilă
        [few] ștampile
        *[other] de ștampile
    }
reports-retention = Membri noi care au revenit
reports-retention-explained = Pentru membrii înscriși în fiecare lună: partea care a revenit în altă zi, în 30, 60 și 90 de zile. Ultimele luni încă se numără.
reports-within-days = În { $days } de zile
reports-at-risk = Clienți fideli în pericol
reports-at-risk-explained =
    { $count ->
        [one] Un client fidel nu a mai venit de două ori intervalul său obișnuit, la { $date }.
        [few] { $count } clienți fideli nu au mai venit de două ori intervalul lor obișnuit, la { $date }.
        *[other] { $count } de clienți fideli nu au mai venit de două ori intervalul lor obișnuit, la { $date }.
    }
reports-member = Membru
reports-usual = De obicei la
reports-last-visit = Ultima vizită
reports-away = Absent de
reports-consent = Poate fi contactat prin
reports-days =
    { $count ->
        [one] { $count } zi
        [few] { $count } zile
        *[other] { $count } de zile
    }
reports-consent-email = e-mail
reports-consent-sms = SMS
reports-staff = Personal
reports-staff-member = Angajat
reports-enrolments = Înscrieri
reports-voids = Anulări
reports-overrides = Excepții
reports-cancelled = Ale sale anulate
reports-complaints-logged = Reclamații notate
reports-complaints-resolved = Reclamații rezolvate
reports-feedback-collected = Chestionare completate
surveys-title = Ce spun membrii
surveys-nps = Net Promoter Score
surveys-answered = { $answered } răspunsuri din { $asked } cereri
surveys-promoters = ne-ar recomanda (9–10)
surveys-passives = mulțumiți (7–8)
surveys-detractors = nemulțumiți (0–6)
surveys-none = Încă niciun răspuns în această perioadă.
surveys-nps-by-month = Net Promoter Score, lună de lună
surveys-topics = Ce contează cel mai mult pentru ei și cât de mulțumiți sunt
surveys-importance = Contează cel mai mult pentru
surveys-satisfaction = Mulțumire
surveys-act-here = De îmbunătățit
surveys-comments = Cuvintele lor
we-did-title = Ați spus, am făcut
we-did-hint = Ce a schimbat magazinul după păreri? Cele mai noi trei apar pe pagina chestionarului.
we-did-add = Adaugă
we-did-withdraw = Retrage
we-did-none = Nimic scris încă.
complaints-title = Reclamații
complaints-figures = Luna aceasta: { $logged } notate, { $open } deschise, { $overdue } întârziate · { $median } ore până la rezolvare (mediana) · la vizita următoare: { $yes } rezolvate, { $no } nu
complaints-none-open = Nicio reclamație deschisă.
complaints-owner = Responsabil: { $name }
complaints-due = termen { $date }
complaints-overdue = întârziată din { $date }
complaints-how = Cum a fost rezolvată?
complaints-put-right = Rezolvată
manage-tab-staff = Personal
manage-tab-audit = Jurnal
manage-tab-backups = Copii de siguranță
manage-tab-settings = Setări
programs-title = Programe de fidelitate
program-new = Program nou
program-edit = Modifică
program-edit-title = Modifică „{ $program }”
program-pause = Pune pe pauză
program-resume = Reia
program-retire = Încheie
program-retire-confirm = Închei „{ $program }” definitiv? Nu mai dă ștampile; recompensele deja câștigate pot fi folosite în continuare.
program-kind = Tip
program-kind-stamps = Ștampile: atâtea ștampile pentru o recompensă
program-kind-points = Puncte: după suma cheltuită, recompense pe praguri
program-expiry = Recompensele expiră după (zile)
program-never = Niciodată
program-points-per-unit = Puncte pentru fiecare unitate cheltuită
program-tiers = Recompense
program-tier-points = Puncte
program-tier-add = Adaugă o recompensă
program-tier-remove = Scoate
program-gap = Minute minime între două ștampile ale aceluiași membru
program-no-gap = Fără minim
program-starts-new = Alt număr de ștampile sau altă expirare creează un program nou: membrii păstrează ce au câștigat în acesta.
program-save = Salvează
program-expiry-days = recompensele expiră după { $days } zile
program-gap-minutes = { $minutes } min între ștampile
member-erased-name = Membru șters
member-erased-title = Membrul { $code }: date personale șterse
member-erased-hint = Șterse pe { $date }. Cardul și istoricul lui rămân, fără nume.
consent-title = Îi putem scrie?
member-birthday = Zi de naștere (luna și ziua)
member-birthday-hint = LL-ZZ
consent-email = Email
consent-sms = SMS
consent-panel = Panel: întrebat din când în când de părere
consent-yes-since = da, din { $date }
consent-no-since = nu, din { $date }
consent-unasked = încă neîntrebat: nu se trimite nimic
consent-yes = Da
consent-no = Nu
member-export-data = Tot ce deținem (fișier)
member-erase = Șterge datele personale
member-erase-confirm = Ștergi definitiv numele, emailul, telefonul și consimțământul lui { $name }? Cardul și ștampilele rămân, fără nume.
members-files-title = Fișiere de membri
campaign-title = Scrie membrilor
campaign-hint = În fișier sunt doar membrii care au spus da pe acest canal și au o adresă pe el. Linkul de la finalul fiecărui mesaj îl dezabonează definitiv.
campaign-segment = Cui
campaign-segment-at-risk = Clienți fideli care nu mai vin
campaign-segment-new = Membri noi (30 de zile)
campaign-segment-regulars = Clienți fideli (3 vizite în 90 de zile)
campaign-segment-birthday = Ziua de naștere luna aceasta
campaign-segment-panel = Panelul
campaign-channel = Cum
campaign-reach = Se poate scrie la { $reachable } din { $members } { $members ->
    [one] membru
    [few] membri
   *[other] de membri
}
campaign-left-out = Lăsați deoparte: { $noConsent } fără acordul lor, { $noContact } fără adresă.
campaign-message = Cuvintele tale (așa cum sunt, într-o limbă)
campaign-with-coupon = Un cupon pentru fiecare
campaign-coupon-kind = Cupon
campaign-coupon-free_item = Un produs gratuit
campaign-coupon-amount_off = O reducere în bani
campaign-coupon-percent_off = O reducere procentuală
campaign-coupon-value = Câte produse, ce sumă sau ce procent
campaign-coupon-text = Ce scrie pe el
campaign-coupon-expires = Ultima zi (90 de zile dacă e gol)
coupon-issue-title = Oferă un cupon
coupon-issue-for = Pentru { $name } (afișat la următoarea scanare)
coupon-issue-only-here = Doar în acest magazin
coupon-issue-format = Hârtia cuponului
coupon-issue-format-a6 = A6 (imprimantă de birou)
coupon-issue-format-strip-58 = Hârtie de bon, 58 mm
coupon-issue-format-strip-80 = Hârtie de bon, 80 mm
coupon-issue = Oferă și pregătește cuponul
coupon-issued = Cuponul { $token }… a fost oferit; e gata de tipărit.
campaign-link-base = Adresa paginilor acestei case, pentru linkurile de dezabonare
campaign-export = Exportă pentru programul meu de e-mail
campaign-exported = { $written } { $written ->
    [one] membru scris
    [few] membri scriși
   *[other] de membri scriși
} în { $file }
members-export = Exportă toți membrii (CSV)
members-import = Importă membri dintr-un fișier CSV (Excel)
members-import-written = { $rows } rânduri citite ({ $encoding }): { $added } membri adăugați.
members-import-read = { $rows } rânduri citite ({ $encoding }). Nu se salvează nimic până când tot fișierul nu e corect.
members-import-line = rândul { $line }
members-import-duplicate = Rândul { $line }: același { $field } ca { $with }
members-import-allow-duplicates = Importă-i oricum (persoane diferite)
members-import-confirm = Importă { $rows } membri
file-open = Deschide
settings-title = Setările acestei case
settings-shop-title = Magazinul (toate casele lanțului)
settings-shop-language = Limba implicită (ecrane, carduri, membri noi)
settings-shop-currency = Moneda (trei litere, ca RON)
settings-shop-time-zone = Fusul orar (rapoartele numără zilele după el)
settings-survey-interval = Zile până când un membru e întrebat din nou de părere (90 dacă e gol)
settings-idle = Deconectare după atâtea minute fără folosire (0: niciodată)
settings-pin-again = Cere din nou PIN-ul managerului după (minute)
settings-sounds = Sunete pentru ștampile, recompense și refuzuri
settings-card-layout = Cardurile se tipăresc de obicei pe
settings-printer = Imprimanta pentru carduri
settings-printer-default = Cea implicită a sistemului ({ $name })
settings-pages = Paginile acestei case în rețeaua magazinului (adresă:port)
settings-pages-hint = Linkurile de dezabonare din e-mailurile magazinului ajung aici. Gol: fără pagini. 0.0.0.0:8470 răspunde întregii rețele.
settings-save = Salvează
settings-saved = Salvat.
compensation-title = Reclamații: ce propune casa
compensation-hint = Pentru fiecare tip de reclamație, cuponul pe care angajatul îl poate oferi pe loc. Text lăsat gol: cel al casei.
compensation-none = Nimic
compensation-value = Valoare
compensation-days = Zile
pin-again-title = PIN-ul managerului
pin-again-hint = Scrie din nou PIN-ul ca să deschizi ecranele managerului.
pinpad-delete = Șterge
pinpad-clear = Șterge tot
staff-title = Personal
staff-rename = Redenumește
staff-new-pin = PIN nou
staff-save = Salvează
staff-unlock = Deblochează
staff-make-cashier = Fă-l casier
staff-make-manager = Fă-l manager
staff-deactivate = Dezactivează
staff-activate = Reactivează
staff-add-title = Adaugă un membru al personalului
staff-name = Nume
staff-role = Rol
staff-pin = PIN (4–8 cifre)
staff-add = Adaugă
audit-title = Jurnal de audit
audit-from = De la
audit-to = Până la
audit-none = Nimic în jurnalul de audit pentru aceste zile.
audit-when = Când
audit-what = Ce
audit-who = Cine
audit-detail = Detalii
backup-title = Copii de siguranță
backup-hint = În fiecare zi se face singură o copie de siguranță; se păstrează ultimele șapte. Fă una acum înainte de o schimbare mare.
backup-now = Fă o copie acum
backup-none = Încă nicio copie de siguranță.
backup-restore = Restaurează
backup-restore-confirm = Pui copia din { $when } în locul datelor de azi? Ce s-a făcut de atunci nu va mai apărea pe această casă (datele de azi sunt păstrate separat într-un fișier). Toată lumea se autentifică din nou.

## The menu entry of the installed app (scripts/dist.sh writes it into the .desktop file).
desktop-generic-name = Carduri de fidelitate
desktop-comment = Carduri cu ștampile, puncte și recompense la casă
