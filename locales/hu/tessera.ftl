# Tessera — magyar. Ugyanazok az azonosítók, mint az angol referenciafájlban.
# A változatok saját, behúzott sorba kerülnek a "->" után (CLDR többesszám-kategóriák).

app-title = Tessera
loading = Betöltés…
cancel = Mégse
close = Bezárás
back = Vissza
next = Tovább

## Languages (each written in its own language)

language-en = English
language-fr = Français
language-it = Italiano
language-ro = Română
language-hu = Magyar

## Első indítás

setup-welcome = Üdvözöl a Tessera
setup-intro = Állítsd be az üzletedet három rövid lépésben, vagy előbb próbáld ki bemutató adatokkal.
setup-step = Lépés: { $step }/{ $total }
setup-shop-title = Az üzleted
setup-shop-name = Az üzlet neve
setup-language = Nyelv
setup-currency = Pénznem
setup-manager-title = Az első üzletvezető
setup-manager-hint = Az üzletvezető állítja be a hűségprogramokat, nyomtatja a kártyákat és nézi a kimutatásokat.
setup-manager-name = A neved
setup-pin = PIN-kód (4–8 számjegy)
setup-pin-again = PIN-kód még egyszer
setup-pin-mismatch = A két PIN-kód nem egyezik.
setup-program-title = Az első pecsétgyűjtő kártyád
setup-program-name = A kártya neve
setup-program-punches = Pecsétek száma egy jutalomhoz
setup-program-reward = Jutalom
setup-program-default-name = Kávékártya
setup-program-default-reward = Ajándék kávé
setup-finish = Kassza megnyitása
setup-demo = Kipróbálás bemutató adatokkal
setup-demo-hint = Egy kávézó 40 törzsvásárlóval. Üzletvezető: Alex, PIN 1234.
demo-pastry-card = Péksütemény-kártya
demo-pastry-reward = Ajándék croissant

## Bejelentkezés

signin-title = Ki áll a kasszánál?
signin-pin = PIN-kód
signin-button = Bejelentkezés
signout = Kijelentkezés

## Kasszaképernyő

scan-prompt = Olvass be egy kártyát, vagy írj be egy nevet vagy kódot
search-placeholder = Név, telefon, e-mail vagy kód
scan-armed = Az olvasó készen áll
member-since = Törzsvásárló { $date } óta
card-stamps = { $punches } / { $needed }
# Számnév után a főnév egyes számban marad: „3 jutalom”.
rewards-ready =
    { $count ->
        [one] { $count } jutalom beváltható
       *[other] { $count } jutalom beváltható
    }
reward-ready-named = Beváltható: { $reward }!
no-reward = Még nincs jutalom
action-punch = Pecsételés
action-redeem = Jutalom beváltása
action-undo = Visszavonás
action-new-member = Új törzsvásárló
action-clear = Következő vásárló
feedback-punched = Pecsét rögzítve ({ $program }): { $punches } / { $needed }
feedback-reward-earned = Betelt a kártya! Beváltható: { $reward }!
feedback-redeemed = Beváltva: { $reward }
feedback-points = { $program }: +{ $points } pont, összesen { $balance }
punch-amount = Elköltött összeg
action-add-points = Pontok hozzáadása
card-points = { $points } pont
points-next-reward = Még { $points } pont ehhez: { $reward }
reward-tier = { $reward } ({ $points } pont)
reward-lapses = lejár: { $date }
override-title = Kevesebb mint { $minutes } perce kapott pecsétet
override-hint = Ha mégis pecsételnél, írd le, miért. Az üzletvezető látja a naplóban.
override-reason = Indok
override-confirm = Pecsételés mégis
feedback-undone = Visszavonva: { $what }
last-action = Utolsó művelet: { $what } · { $time } · { $staff }
search-results =
    { $count ->
        [one] { $count } törzsvásárló található
       *[other] { $count } törzsvásárló található
    }
search-none = Nincs ilyen törzsvásárló. Ellenőrizd a helyesírást, vagy regisztrálj új törzsvásárlót.
search-ambiguous = Több törzsvásárló is egyezik: válassz egyet.
confirm-repeat-punch = Épp most kapott pecsétet. Nyomd meg újra az { key-enter } billentyűt egy újabb pecséthez.

## Billentyűk, ahogy a Magyarországon kapható billentyűzetekre írják őket

key-enter = Enter
key-esc = Esc
key-ctrl-z = Ctrl+Z
key-r = R
key-arrows = ↑ ↓

## Mi volt egy művelet (előzmények és visszavonás)

event-enroll = Regisztráció
event-punch =
    { $count ->
        [one] { $count } pecsét ({ $program })
       *[other] { $count } pecsét ({ $program })
    }
event-redeem = Jutalom beváltva ({ $program })
event-void = Visszavonva: { $reason }

## Visszavonás

undo-title = Visszavonod az utolsó műveletet?
undo-reason = Miért?
undo-reason-wrong-member = Téves törzsvásárló
undo-reason-scanned-twice = Kétszer beolvasva
undo-reason-wrong-card = Téves kártya
undo-reason-other = Egyéb
undo-confirm = Igen, visszavonom
undo-keep = Nem, megtartom

## Regisztráció

enroll-title = Új törzsvásárló
enroll-name = Név
enroll-email = E-mail (nem kötelező)
enroll-phone = Telefon (nem kötelező)
enroll-language = A törzsvásárló nyelve
enroll-submit = Regisztrálás
enroll-done = Üdvözlünk, { $name }!
enroll-code = Tagkód
enroll-code-hint = Egyelőre írd fel ezt a kódot egy kártyára: nyomtatott kártya az üzletvezetői képernyőn készíthető.
enroll-open = Ugrás a törzsvásárlóhoz

## Parancssor

cli-shop-ready = Az üzlet kész: „{ $shop }”. Üzletvezető: { $manager }.
program-terms-stamps = { $needed } pecsét → { $reward }
program-terms-points = elköltött egységenként { $points } pont: { $tiers }
program-status-active = aktív
program-status-paused = szünetel
program-status-retired = lezárva
cli-program-replaced = A(z) { $old } programot váltja, amely most lezárult: a tagok megtartják, amit abban szereztek.
cli-member-added = Új törzsvásárló: { $name }. Kód: { $code }
cli-no-members = Nincs ilyen törzsvásárló.
cli-member-erased = { $code } tag: személyes adatok törölve.
cli-consent-yes = igen ({ $date } óta)
cli-consent-no = nem ({ $date } óta)
cli-consent-unasked = nem kérdeztük
cli-member-birthday = születésnap: { $day }
cli-campaign-done = Kampány ({ $segment }): { $members } tagból { $written } kapott üzenetet
cli-campaign-left-out = kimaradt: { $no_consent } beleegyezés nélkül, { $no_contact } cím nélkül
cli-campaign-file = kiírva ide: { $file }
cli-campaign-sent = { $sent } e-mail elküldve, { $refused } visszautasítva a levelezőszerver által
cli-serving = Az üzlet oldalai itt érhetők el: { $url } (Ctrl+C leállítja)
mail-subject = Hírek: { $shop }
mail-subject-coupon = { $shop }: { $offer } neked
mail-greeting = Kedves { $name }!
mail-coupon = Neked szól: { $text } ({ $offer }), érvényes eddig: { $date }. Már rajta van a törzsvásárlói kártyádon: mutasd meg a kártyát a pultnál, vagy a csatolt kupont.
mail-coupon-no-expiry = Neked szól: { $text } ({ $offer }). Már rajta van a törzsvásárlói kártyádon: mutasd meg a kártyát a pultnál, vagy a csatolt kupont.
mail-footer = Azért kapod ezt a levelet, mert hozzájárultál, hogy a(z) { $shop } írjon neked. Ha többet nem kérsz: { $link }
mail-footer-no-link = Azért kapod ezt a levelet, mert hozzájárultál, hogy a(z) { $shop } írjon neked. Ha többet nem kérsz, szólj a pultnál.
mail-voucher-file = kupon
page-unsubscribe-email = Nem kérsz több e-mailt tőlünk ({ $shop })?
page-unsubscribe-sms = Nem kérsz több SMS-t tőlünk ({ $shop })?
page-unsubscribe-panel = Kilépsz a(z) { $shop } paneljéből? Többé nem kérdezzük a véleményedet.
page-unsubscribe-button = Igen, többet nem kérek
page-unsubscribe-done = Kész: a(z) { $shop } így többé nem ír neked. A pultnál meggondolhatod magad.
page-not-ready = Az üzlet oldalai még nem állnak készen. Próbáld újra egy kicsit később.
page-survey-visits = Köszönjük { $visits ->
        [one] a látogatását
       *[other] mind a { $visits } látogatását
    } a(z) { $shop } üzletben.
page-survey-favourite = Kártyája nálunk: { $program }.
page-survey-nps = Mennyire valószínű, hogy ajánlaná a(z) { $shop } üzletet egy barátjának?
page-survey-nps-low = Egyáltalán nem
page-survey-nps-high = Nagyon valószínű
page-survey-topic = Mi a legfontosabb Önnek, amikor hozzánk jön?
page-survey-topic-score = És mennyire elégedett vele?
page-survey-score-low = Nem elégedett
page-survey-score-high = Nagyon elégedett
page-survey-comment = Szeretne még valamit mondani? (nem kötelező)
page-survey-send = Küldés
page-survey-done = Köszönjük! A válaszai segítenek, hogy a(z) { $shop } még jobb legyen.
page-survey-we-did = Ön mondta, mi megtettük
topic-quality = Minőség
topic-service = Kedves kiszolgálás
topic-speed = Ne kelljen várni
topic-price = Ár-érték arány
topic-cleanliness = Tisztaság
topic-choice = Választék
cli-import-written = { $rows } sor beolvasva ({ $encoding }): { $added } tag hozzáadva.
cli-import-read = { $rows } sor beolvasva ({ $encoding }): semmi sem lett mentve.
cli-import-problem = { $line }. sor, { $field }: { $error }
cli-import-line = a(z) { $line }. sor
cli-import-duplicate = { $line }. sor: ugyanaz a(z) { $field }, mint: { $with }
cli-file-written = Mentve: { $file }
cli-shop-local-time = a számítógép időzónája
cli-voided = Visszavonva. Indok: { $reason }
cli-doctor-ok = Minden rendben.
cli-doctor-problems = Talált problémák: { $count }.
cli-doctor-rebuilt = A kártyaegyenlegek és a kimutatások számai újraszámolva az előzmények alapján.
cli-doctor-progress = Ellenőrzés… { $total } ellenőrzésből { $done } kész
cli-doctor-everything = A teljes adatbázis ellenőrizve.
cli-doctor-since = Ellenőrizve: az utolsó hibátlan ellenőrzés ({ $date }) óta történt { $count } esemény, és amit megváltoztattak. A `tessera doctor --full` mindent ellenőriz.

## Üzletvezetői képernyő

manage-open = Üzletvezető
manage-back = Vissza a kasszához
print-title = Hűségkártyák nyomtatása
print-layout = Papír
print-layout-cr80 = Kártyanyomtató (oldalanként egy kártya)
print-layout-a4 = A4-es ív 10 névjegykártyával
print-who = Kinek készüljön kártya
print-who-all = Minden törzsvásárló
print-who-member = Csak { $name }
print-language = A kártyák nyelve
print-language-member = Mindenkinek a saját nyelve
print-button = PDF készítése
print-progress = { $done } / { $total }
print-done = { $count } kártya kész.
print-open = Megnyitás
print-send = Nyomtatás
print-show-folder = Megjelenítés a mappában
print-sent = Elküldve ide: { $printer } (feladat: { $job }).
print-default-printer = az alapértelmezett nyomtató
print-test-page = Nyomtatási tesztoldal
scanner-test-title = Olvasóteszt
scanner-test-hint = Olvass be bármelyik kártyát: itt látod, mit gépelt be az olvasó, és hogyan értelmezte a Tessera.
scanner-test-arrived = Beérkezett
scanner-test-keys = Lenyomott billentyűk
scanner-test-readings = Értelmezés
scanner-test-source-key-codes = a lenyomott billentyűk alapján
scanner-test-source-as-typed = ahogy begépelte
scanner-test-source-layout = US kiosztású olvasóként, { $layout } kiosztású billentyűzeten
# Billentyűzetkiosztások, a scanner-test-source-layout mondatában: „német kiosztású billentyűzeten”.
keyboard-layout-us = amerikai (US)
keyboard-layout-fr = francia
keyboard-layout-be = belga
keyboard-layout-de = német
keyboard-layout-hu = magyar
keyboard-layout-it = olasz
keyboard-layout-ro = román (szabványos)
scanner-test-result = Eredmény
scanner-test-found = { $name } kártyája
card-replace-title = { $name } kártyája
card-replace-button = Elveszett kártya pótlása
card-replace-confirm = A régi kártyát mostantól elutasítjuk. A törzsvásárló minden pecsétje és jutalma megmarad.
card-replace-done = Új kártya: { $code }. Nyomtasd ki bal oldalt; a régi kártyát mostantól elutasítjuk.

## Printed cards

card-tagline = Mutasd fel ezt a kártyát a kasszánál, és gyűjtsd a pecséteket.
card-test-title = Nyomtatási próba: a vonalzónak pontosan 100 mm-nek kell lennie.
card-test-hint = Ha nem annyi, kapcsold ki az „oldalhoz igazítás” beállítást a nyomtatási ablakban.
card-test-sample = Mintakártya
cli-card-revoked = A(z) { $code } kártya letiltva.
cli-card-issued = { $name } kártyája: { $code }
cli-cards-written = { $count } kártya elkészült: { $file }
cli-printed = Elküldve ide: { $printer } (feladat: { $job }).
cli-printer-default = az alapértelmezett nyomtató
cli-printers-none = A gép nyomtatási szolgáltatása egyetlen nyomtatót sem ismer.
cli-printer-is-default = (alapértelmezett)

## Hibák

error-shop-not-set-up = Az üzlet még nincs beállítva. Indítsd el az első beállítást.
error-shop-already-set-up = Ez az üzlet már be van állítva.
error-empty-field = Add meg { $field ->
        [shop_name] az üzlet nevét
        [reward] a jutalmat
        [reason] az indokot
       *[other] a nevet
    }.
error-too-long = Ez túl hosszú: legfeljebb { $max } karakter lehet.
error-invalid-email = Ez az e-mail-cím nem tűnik helyesnek.
error-invalid-phone = Ez a telefonszám nem tűnik helyesnek.
error-invalid-language = Ez a nyelv nem érhető el.
error-invalid-currency = A pénznem hárombetűs kód, például HUF vagy EUR.
error-invalid-time-zone = Ez nem időzóna. Úgy írd, ahogy a tz-adatbázis, például Europe/Budapest vagy Europe/Paris.
error-invalid-period = Az időszak később kezdődik, mint ahogy véget ér. Az első nap legyen az utolsó előtt vagy azzal egyezzen.
error-event-time-out-of-range = Ennek az eseménynek az ideje kívül esik az 1677 és 2262 közötti éveken, amelyeket a napló nem tud tárolni. Ellenőrizd a kassza óráját, amely írta.
error-invalid-pin = A PIN-kód 4–8 számjegyből áll.
error-invalid-punches-needed = Egy kártyához legalább 1, legfeljebb { $max } pecsét kell.
error-invalid-count = Egyszerre legalább 1, legfeljebb { $max } pecsétet adhatsz.
error-program-not-found = Ez a hűségprogram nem létezik.
error-invalid-number = { $field ->
        [points_per_unit] Az elköltött egységenkénti pont { $min } és { $max } között lehet.
        [tier_points] Egy jutalom { $min } és { $max } pont között lehet.
        [reward_days] Egy jutalom { $min } és { $max } nap között érvényes.
        [min_gap_minutes] Két pecsét között { $min } és { $max } perc telhet el.
        [amount] Írd be az elköltött összeget, például 12,50.
        [idle_sign_out_minutes] Az automatikus kijelentkezés { $min } és { $max } perc között állítható.
        [pin_again_minutes] A PIN-kód újrakérése { $min } és { $max } perc között állítható.
       *[other] Írj be egy számot { $min } és { $max } között.
    }
error-invalid-tiers = Egy pontgyűjtő programhoz 1–10 jutalom kell, mindegyik más pontszámért.
error-program-retired = Ez a program lezárult: már nem ad pecsétet, és nem módosítható. A már megszerzett jutalmak beválthatók.
error-punch-too-soon = Ez a tag kevesebb mint { $minutes } perce kapott pecsétet. Ha mégis pecsételnél, írd le, miért.
error-amount-required = Ez a program az elköltött összeg után ad pontot: írd be az összeget.
error-no-points-for-amount = Ez az összeg nem ér pontot.
error-reward-required = Válaszd ki a jutalmat.
error-program-inactive = Ez a hűségprogram szünetel: nincs pecsét, amíg egy üzletvezető újra nem indítja.
error-program-required = Az üzletnek több kártyája van: válaszd ki, melyiket.
error-no-active-program = Nincs aktív hűségprogram. Az üzletvezető hozzáadhat egyet.
error-member-not-found = Ez a törzsvásárló nem található.
error-member-erased = Ennek a tagnak a személyes adatait törölték.
error-csv-no-name-column = A fájlban nincs névoszlop: az első sorban kell lenniük az oszlopneveknek (név, email, telefon…).
error-file-unreadable = { $path } nem olvasható. Ellenőrizd a fájl nevét, és hogy megvan-e.
error-unknown-code = Ehhez a kódhoz nem tartozik törzsvásárló. Ellenőrizd a kártyát, vagy regisztráld a vásárlót.
error-mistyped-code = Ebben a kódban elírás van. Ellenőrizd a karaktereket egyenként, és próbáld újra.
error-not-a-code = Ez nem tagkód.
error-card-replaced = Ezt a kártyát { $date } lecserélték: kérd el az új kártyát.
error-card-revoked = Ezt a kártyát { $date } letiltották. Az üzletvezető adhat ki újat.
error-forged-card = Ez a kártya nem eredeti: a kódja nem ellenőrizhető.
error-unknown-card-key = Ez a kártya olyan üzletből való, amelyet ez a kassza még nem ismer. Szinkronizáld a kasszát, majd olvasd be újra.
error-truncated-card = A kártyának csak egy része olvasható. Olvasd be újra.
error-invalid-layout = Válassz formátumot: cr80 (kártyanyomtató) vagy a4-10 (A4-es ív 10 kártyával).
error-nothing-to-redeem = Még nincs beváltható jutalom.
error-coupon-not-card = Ez kupon, nem hűségkártya: a „Kupon beváltása” gombbal váltsd be.
error-not-a-coupon = Ez nem kupon.
error-forged-coupon = Ez a kupon nem eredeti (módosított vagy rosszul olvasott): olvasd be újra, vagy utasítsd vissza.
error-unknown-coupon-key = Ez a kupon olyan kasszáról jön, amellyel ez még nem szinkronizált: szinkronizálj, aztán olvasd be újra.
error-truncated-coupon = A kuponnak csak egy része lett beolvasva: olvasd be újra.
error-coupon-used = Ezt a kupont már beváltották ekkor: { $date }.
error-coupon-expired = Ez a kupon lejárt ekkor: { $date }.
error-coupon-withdrawn = Ezt a kupont visszavonták ekkor: { $date }.
error-coupon-other-shop = Ez a kupon csak abban az üzletben érvényes, amelyik adta.
error-coupon-not-found = Nincs ilyen kupon.
error-expiry-past = A kupon utolsó napja a mai nap vagy későbbi (2109 előtt).
error-coupon-charge-back = A kétszer beváltott kupont nincs következő jutalomból levonni: fogadd el a veszteséget.
error-complaint-not-found = Nincs ilyen panasz.
error-complaint-compensated = Ehhez a panaszhoz már jár kupon.
error-no-compensation = Az üzlet szabályai ilyen panaszra nem adnak kupont.
error-complaint-resolved = Ez a panasz már rendezve van.
error-follow-up-answered = A tag már válaszolt erről a panaszról.
error-event-not-found = Ez a művelet nem található.
error-already-voided = Ezt a műveletet már visszavonták.
error-not-voidable = Csak a pecsételés és a beváltás vonható vissza.
error-reward-already-redeemed = Az ezekért a pecsétekért járó jutalmat már beváltották: előbb a beváltást vond vissza.
error-nothing-to-undo = Nincs mit visszavonni. Csak a saját, friss műveleteidet vonhatod vissza; a régebbieket egy vezető javítja.
error-reason-required = Kérlek, add meg az indokot.
error-staff-not-found = Nincs ilyen nevű munkatárs.
error-staff-name-taken = Már van ilyen nevű munkatárs.
error-wrong-pin = Hibás név vagy PIN-kód. Próbáld újra.
error-sign-in-wait = Túl sok hibás PIN-kód. Próbáld újra { $seconds } mp múlva.
error-sign-in-locked = Túl sok hibás PIN-kód: ez a név zárolva van. Egy üzletvezető oldja fel az Üzletvezető › Személyzet menüben.
error-last-manager = Az üzletnek legalább egy aktív üzletvezetőt meg kell tartania. Előbb nevezz ki valaki mást üzletvezetőnek.
error-restore-in-chain = Ez a mentés egy lánchoz tartozó kasszáé: még nem állítható vissza (a hubnál már megvan, amit ez a kassza azóta tett). Semmi sem változott. Csatlakozz inkább újra a lánchoz új kasszaként: az adatai szinkronizálással visszajönnek.
error-manager-only = Ezt csak üzletvezető teheti meg.
error-pin-again = Írd be újra a PIN-kódodat az üzletvezetői képernyőkhöz.
error-database-locked = Az adatbázist egy másik program foglalja: ez NEM lett elmentve. Zárd be a másik programot, és próbáld újra.
error-store-unwritable = A Tessera nem tud írni az adatbázisába ({ $path }): ez NEM lett elmentve. Ellenőrizd, hogy a lemez csatlakoztatva van-e, és hogy a fájl nem csak olvasható-e.
error-store-corrupt = Az adatbázisfájl megsérült: semmit sem lehet többé menteni. Ne töröld; hívd az ügyfélszolgálatot.
error-disk-full = Megtelt a lemez: ez NEM lett elmentve. Szabadíts fel helyet, és próbáld újra.
error-open-failed = Egyik program sem tudta megnyitni ezt a fájlt: { $path }
error-printing-unavailable = Ezen a gépen nincs nyomtatási szolgáltatás. Nyisd meg a PDF-et, és nyomtasd a megjelenítőből, vagy telepítsd a CUPS-ot.
error-print-failed = A nyomtató visszautasította a feladatot ({ $detail }). Ellenőrizd a nyomtatót a Beállításokban, vagy nyisd meg a PDF-et, és nyomtasd a megjelenítőből.
error-storage-error = Hiba történt: ez NEM lett elmentve. Próbáld újra; ha megismétlődik, hívd az ügyfélszolgálatot.

error-sign-in-required = Előbb jelentkezz be.
error-unexpected = Váratlan hiba történt. Próbáld újra.

## The till, safe under pressure
menu-about = A Tesseráról
about-title = A Tesseráról
about-version = Verzió: { $version }
about-database = Adatbázis
about-logs = Naplók
about-fonts = Betűkészletek
about-libraries = { $count } könyvtár
till-menu = Menü
scan-last = Utolsó beolvasás: { $time }
scan-paused = A kódolvasó szünetel: érintsd meg a képernyőt
not-saving-title = Nincs mentés
not-saving-file = Adatbázisfájl: { $path }
saving-wait = Mentés… az adatbázis foglalt.
redeem-confirm-title = Jutalom beváltása { $name } számára: { $reward }?
redeem-confirm-hint = { key-enter }: igen, beváltom · { key-esc }: most nem
redeem-confirm-yes = Igen, beváltom a jutalmat
redeem-confirm-no = Most nem
undo-at = { $what } · { $time }
undo-window = A saját műveleteidet az utolsó { $minutes } percben vonhatod vissza. A régebbieket egy vezető javítja.
undo-other-placeholder = Mi történt?
enroll-duplicates-title = Már törzsvásárló?
enroll-duplicates-hint = Ezeknek a törzsvásárlóknak ugyanaz a neve, az e-mail-címe vagy a telefonszáma.
enroll-duplicate-open = Megnyitás
enroll-anyway = Másik személy: regisztrálás
enroll-submit-stamp = Regisztrálás és pecsét
db-missing-title = Hiányzik az üzlet adatbázisa
db-missing-new = Új üzlet indítása itt
db-missing-hint = Ha a fájlt áthelyezték, vagy egy nem csatlakoztatott lemezen van, tedd vissza, és indítsd újra a Tesserát.
search-pick-hint = { key-arrows }: választás · { key-enter }: megnyitás
error-database-gone = Az adatbázisfájlt törölték vagy áthelyezték, miközben a Tessera nyitva volt ({ $path }). Ez NEM lett elmentve, és semmi sem lesz, amíg a fájl vissza nem kerül: zárd be a Tesserát, és tedd vissza a fájlt.
error-database-missing = Hiányzik az üzlet adatbázisa: { $path }. Ezen a gépen korábban már használták.
error-likely-duplicate = { $name } ({ $code }) talán ugyanaz a személy. Ellenőrizd, mielőtt kétszer regisztrálod.
feedback-not-saved = Ez NEM lett elmentve (lásd fent).
error-not-a-tessera-database = Ez a fájl nem Tessera-adatbázis: { $path }. A Tessera nem módosította. Válaszd a kassza saját adatbázisfájlját.
error-database-too-new = Ezt az adatbázist a Tessera egy újabb verziója hozta létre ({ $found }. séma; ez a verzió legfeljebb a { $supported }. sémát ismeri). Telepítsd az újabb verziót; az adatbázis nem változott.
error-database-damaged = Az adatbázis szerkezete nem az, amit a Tessera létrehozott: semmi sem változott. Őrizd meg a fájlt, és hívd az ügyfélszolgálatot.
error-invalid-characters = A szöveg olyan karaktereket tartalmaz, amelyeket nem lehet kinyomtatni vagy megjeleníteni. Kérlek, írd be újra.
error-file-unwritable = A Tessera nem tudja megírni ezt a fájlt: { $path }. Ellenőrizd, hogy a mappa létezik-e, és nem csak olvasható-e, majd próbáld újra. Az üzlet adatbázisát ez nem érinti.
error-internal-error = Váratlan hiba történt a Tesserában: ez NEM lett végrehajtva. Próbáld újra; ha megismétlődik, hívd az ügyfélszolgálatot (a hiba oka a Tessera naplójában van).
error-invalid-arguments = A parancs hiányos, vagy nem érthető: { $detail }

## Sync with the chain
error-invalid-hub-url = „{ $url }” nem egy központ (hub) címe. Így néz ki: https://hub.pelda.hu (kérd el attól, aki a lánc központját kezeli).
error-insecure-hub-url = { $url } nem titkosított. Egy másik gépen futó központot HTTPS-en kell elérni: adj meg https:// címet.
error-invalid-certificate = Az elfogadandó tanúsítványfájl nem PEM tanúsítvány (így kezdődik: „-----BEGIN CERTIFICATE-----”).
error-hub-unreachable = A központ ({ $url }) nem érhető el. A kassza offline tovább működik, és mindent elküld, amikor visszatér a kapcsolat.
error-hub-token-refused = A központ nem fogadja el ennek a kasszának a tokenjét ({ $reason }). Kérj újat attól, aki a központot kezeli; ezen a kasszán semmi sem vész el.
error-hub-refused = A központ elutasította ({ $reason }). Ezen a kasszán semmi sem vész el; ha újra előfordul, hívd az ügyfélszolgálatot.
error-not-in-chain = Ez a kassza még nem tagja egy láncnak. Előbb csatlakozz egyhez (Beállítások › Szinkronizálás, vagy „tessera join”).
error-already-in-chain = Ez a kassza már tagja egy láncnak. Egy kassza csak egy központtal szinkronizál.
cli-join-done = Ez a kassza mostantól a(z) „{ $shop }” { $device }. kasszája a(z) { $hub } láncában.
cli-sync-done = Szinkronizálva: { $sent } elküldve, { $received } fogadva.
cli-sync-rejected = A központ { $count } tételt elutasított ennek a kasszának a tételei közül: lásd „tessera sync status”. Semmi más nem akad el.
cli-sync-code-clashes = { $count } más üzletbeli tagnak olyan kártyakódja van, amely már egy itteni tagé (a csatlakozás előtt készült kódok). Egy vezető számára félre vannak téve.
cli-sync-not-in-chain = Ez a kassza nem tagja egy láncnak.
cli-sync-status = Központ: { $hub } · { $device }. kassza · küldésre vár: { $events } esemény, { $changes } módosítás.
cli-sync-last = Utolsó szinkronizálás: { $at }.
cli-sync-never = Még nem volt szinkronizálva.
cli-sync-last-error = Az utolsó próbálkozás nem sikerült: { $code }.
cli-sync-code-clash = ⚠ { $code } kártya: a más üzletből való „{ $name }” kódja ugyanaz, mint az itteni „{ $holder }” kódja. Állíts ki új kártyát a kettő egyikének.
error-no-such-conflict = Ez a beváltás nincs ütközésben, vagy egy vezető már rendezte. Szinkronizálj, majd nézd meg újra az ütközéseket.
event-forgive = Ütközés rendezve, a veszteség elfogadva: { $reason }
event-charge-back = Ütközés rendezve, a következő jutalom fedezi: { $reason }
cli-conflicts-none = Nincs ütközés.
cli-conflict = { $id }  { $member } ({ $code }) · { $program } · beváltva: { $shop }, { $at } · egyenleg { $balance }
sync-line-online = Online
sync-line-offline = Offline
sync-line-failing = Szinkronizálás elutasítva
sync-line-not-yet = Még nincs szinkronizálva
sync-at = szinkronizálva { $time }-kor
sync-waiting = { $count } várakozik
sync-title = Szinkronizálás a lánccal
sync-hub = Központ
sync-device = Kassza száma
sync-line = Kapcsolat
sync-last = Utolsó szinkronizálás
sync-never = Soha
sync-waiting-label = Küldésre vár
sync-rejected = A központ elutasította
sync-code-clashes = Más üzlet tagjával közös kártyakódok
sync-now = Szinkronizálás most
sync-join-title = Csatlakozás egy lánchoz
sync-join-hint = Kérd el attól, aki a lánc központját kezeli, a címét és egy tokent ehhez a kasszához. A lánc programjai, dolgozói és tagjai megérkeznek erre a kasszára.
sync-join-hub = A központ címe
sync-join-token = A kassza tokenje
sync-join = Csatlakozás
setup-join = Csatlakozás egy lánchoz
setup-join-hint = Ez az üzlet egy olyan lánc tagja, amelynek központja van.
conflicts-title = Ütközések
conflicts-none = Nincs ütközés.
conflict-line = { $program }: eggyel több jutalom, beváltva: { $shop }, { $time }
conflict-reason = Indok
conflict-accept = A veszteség elfogadása
conflict-charge-back = Levonás a következő jutalomból
conflict-coupon = „{ $coupon }” kupon
conflict-coupon-line = { $coupon }: egyszer már beváltották, újra beváltva itt: { $shop }, { $time }
error-hub-certificate-untrusted = A központ ({ $url }) olyan tanúsítványt mutat, amelyben ez a kassza nem bízik meg. Ha ez a láncod saját tanúsítványa, add meg a kasszának a fájlját (tessera join --trust FÁJL); különben ellenőrizd a címet.
error-already-one-member = Ez a kettő már egy tag.
event-merge = Összevonva ennek a tagnak egy másodpéldányával
event-coupon-redeem = Kupon beváltva

## Coupons
coupon-free-item = { $count ->
    [one] Egy termék ingyen
   *[other] { $count } termék ingyen
}
coupon-amount-off = { $amount } kedvezmény
coupon-percent-off = { $percent }% kedvezmény
coupon-until = Érvényes eddig: { $date }
coupon-no-expiry = Nem jár le
coupon-only-issuing-shop = Csak abban az üzletben érvényes, amelyik adta
coupon-ready = Beváltható
coupon-for = Neki: { $member }
feedback-coupon-scanned = Kupon: { $offer }. Nyomj Entert a beváltáshoz.
feedback-coupon-used = Kupon beváltva: { $offer }
action-use-coupon = Kupon beváltása
member-coupons = { $count ->
    [one] Egy beváltható kupon
   *[other] { $count } beváltható kupon
}
cli-coupon-used = Kupon beváltva: { $offer }
voucher-fine-print = Egyszer váltható be. Kupon: { $id }
slip-headline = Mondja el a véleményét
slip-offer = Három rövid kérdés, egy perc
slip-until = A hivatkozás érvényes eddig: { $date }
slip-fine-print = Olvassa be a kódot a telefonja kamerájával, vagy nyissa meg: { $link }
cli-voucher-written = A kupon elkészült: { $file }
cli-slip-written = A kérdőív-cetli elkészült: { $file }

## Complaints
compensation-quality = Egy szabadon választott termék, a vendégünk
compensation-service = Egy kávé a vendégünk, bocsánatkérésünk jeléül
compensation-wait = 10% kedvezmény a várakozásért
compensation-apology = Bocsánatkérésünk jeléül
cli-complaint-proposal = Az üzlet szabálya kupont javasol: „{ $coupon }” (tessera complaint compensate ID)
cli-complaints-none = Nincs nyitott panasz.
cli-follow-up-none = Ettől a tagtól nincs mit kérdezni.
cli-compensation-rule = { $category }: { $offer }, { $days } napig érvényes · „{ $text }”
cli-compensation-none = { $category }: nincs javaslat
cli-survey-due = Ettől a tagtól most megkérdezhetjük a véleményét.
cli-survey-not-due = Most nem: a tag nincs a panelben, vagy nemrég kérdeztük.
cli-survey-answered = Köszönjük: a válaszokat megőriztük.
cli-we-did-none = Még nincs bejegyzés.
follow-up-question = Legutóbb ennek a tagnak panasza volt. Rendeztük?
complaint-anonymous = Névtelen
complaint-put-right = Rendezve, a tag szerint
complaint-not-put-right = Nincs rendezve, a tag szerint
complaint-resolved = Rendezve
complaint-due = Nyitott, határidő: { $date }
complaint-category-quality = Minőség
complaint-category-service = Kiszolgálás
complaint-category-wait = Várakozás
complaint-category-price = Ár vagy számla
complaint-category-cleanliness = Tisztaság
complaint-category-other = Egyéb
complaint-severity-low = Enyhe
complaint-severity-medium = Komoly
complaint-severity-high = Nagyon komoly
action-complaint = Panasz
complaint-title = Panasz
complaint-for = Érintett: { $member }
complaint-anonymous-hint = Valaki, aki nem tag (senki nincs megnevezve)
complaint-category = Miről szól?
complaint-severity = Mennyire komoly?
complaint-note = Mi történt, néhány szóban
complaint-log = Rögzítés
complaint-logged = Rögzítve: a tiéd, amíg rendezed, határidő: { $due }.
complaint-proposal = Az üzlet felajánlja: { $coupon }
complaint-give = Kupon átadása
complaint-not-now = Most nem
feedback-coupon-given = Kupon átadva: { $offer }
follow-up-yes = Igen, rendezve
follow-up-no = Nem
feedback-follow-up-thanks = Köszönjük: a választ megőriztük.
survey-offer = Panel tag: megkérdezi a véleményét?
survey-offer-hint = Három rövid kérdés a vásárlói képernyőn vagy egy cetlin a telefonjához.
survey-ask = Megkérdezem
feedback-survey-on-screen = A kérdőív a vásárlói képernyőn van.
survey-slip = Cetli nyomtatása
action-survey-slip = Kérdőív-cetli
feedback-slip-printed = A kérdőív-cetli nyomtatás alatt: adja át a blokkal együtt.
error-no-follow-up = Ennél a látogatásnál nincs mit kérdezni a tagtól.
cli-report-complaints = Panaszok { $from } – { $to }: { $logged } rögzítve, { $resolved } rendezve, { $open } nyitott ({ $overdue } késésben)
cli-report-complaints-hours = Rendezésig eltelt órák: medián { $median }, leghosszabb { $max } · a következő látogatáskor: { $yes } rendezve, { $no } nem
cli-report-surveys = Kérdőívek { $from } – { $to }: { $asked } kérdezve, { $answered } kitöltve · NPS { $nps }
cli-report-surveys-topic = { $topic }: { $share } %-nak ez a legfontosabb, elégedettség { $satisfaction } / 5
cli-report-surveys-topic-act = { $topic }: { $share } %-nak ez a legfontosabb, elégedettség { $satisfaction } / 5 ← itt kell javítani

member-new-here = Új ebben az üzletben
member-new-here-hint = A lánc kártyája: a pecsétek megmaradnak, a tag adatai a következő szinkronizáláskor érkeznek.
merge-title = Kétszer regisztrált ugyanaz a személy?
merge-hint = Írd be vagy olvasd be a másik kártyát: a pecsétjei { $name } kártyájára kerülnek, és mindkét kártya tovább működik.
merge-other = A másik kártya
merge-button = Összevonás ide: { $name }
merge-done = Összevonva: mindkét kártya most { $name } adataihoz vezet.

## Staff and the audit trail
staff-role-manager = üzletvezető
staff-role-cashier = pénztáros
staff-inactive = kikapcsolva
staff-locked = zárolva
cli-staff-saved = Elmentve.
cli-audit-none = Ezekre a napokra nincs semmi a naplóban.
cli-report-summary-title = Összegzés: { $from } – { $to } (napok a(z) { $zone } szerint)
cli-report-returning = Visszatérő tagok: { $count }
cli-report-rewards-given = Kiadott jutalmak: { $count }
cli-report-new-members = Új tagok: { $count }
cli-report-visits-per-week = Látogatások hetente:
cli-report-program = { $program } ({ $kind }): { $punches } pecsét, { $earned } megszerzett jutalom, { $redeemed } beváltva
cli-report-retention-title = Visszatérő új tagok a belépés hónapja szerint: { $from } – { $to } (napok a(z) { $zone } szerint); … = még számol
cli-report-cohort = { $month }: { $count } új · 30 napon belül { $d30 } · 60 nap { $d60 } · 90 nap { $d90 }
cli-report-at-risk-title = A szokásos idejük kétszerese óta távol maradó törzsvendégek, { $date } ({ $zone }): { $count }
cli-report-at-risk-member = { $code }  { $name }: { $visits } látogatás, általában { $usual } naponta, utoljára { $last } ({ $away } napja)
cli-report-staff-title = Munkatársak: { $from } – { $to } (napok a(z) { $zone } szerint)
cli-report-staff-member = { $name }: { $enrolments } belépés, { $punches } pecsét, { $redemptions } jutalom, { $voids } sztornó, { $overrides } kivétel, { $cancelled } sajátja sztornózva, { $complaints_logged } panasz rögzítve, { $complaints_resolved } rendezve, { $feedback } kérdőív kitöltve
cli-dev-seeded = Létrehozva { $members } tag és { $events } esemény.
cli-dev-storm-written = Rögzítve: { $kind } { $event }
cli-dev-seed-progress = { $done } / { $members } tag, { $events } esemény…
cli-about-version = Tessera { $version }
cli-about-database = Adatbázis: { $path }
cli-about-logs = Naplók: { $path }
cli-about-licences = { $libraries } könyvtárral és a DejaVu betűkészletekkel készült; licenceik: tessera about --licences
cli-backup-taken = Biztonsági mentés kiírva: { $path } ({ $size } KB).
cli-restored = Visszaállítva innen: { $path }.
cli-restore-kept = A lecserélt adatbázis itt maradt meg: { $path }.
audit-kind-pin-failed = Hibás PIN-kód
audit-kind-sign-in-locked = Zárolva hibás PIN-kódok után
audit-kind-staff-unlocked = Feloldva
audit-kind-staff-added = Munkatárs felvéve
audit-kind-staff-renamed = Munkatárs átnevezve
audit-kind-staff-role-changed = Szerepkör módosítva
audit-kind-pin-set = PIN-kód beállítva
audit-kind-staff-deactivated = Munkatárs kikapcsolva
audit-kind-staff-reactivated = Munkatárs visszakapcsolva
audit-kind-program-changed = Program módosítva
audit-kind-backup-taken = Biztonsági mentés elkészült
audit-kind-restored = Biztonsági mentés visszaállítva
audit-kind-members-exported = Tagok exportálva
audit-kind-members-imported = Tagok importálva
audit-kind-member-erased = Egy tag adatai törölve
audit-kind-member-data-exported = Egy tag adatai exportálva
audit-kind-campaign-run = Kampány kiküldve a tagoknak
audit-kind-void = Visszavonva
audit-kind-forgive = Ütközés elfogadva
audit-kind-charge-back = Ütközés visszaterhelve
audit-kind-settings-changed = A kassza beállításai módosultak
audit-kind-override = Pecsét a megengedettnél korábban
error-invalid-date = Ez nem dátum: ÉÉÉÉ-HH-NN alakban írd, például 2026-03-31.
error-invalid-birthday = Ez nem születésnap: a hónapot és a napot HH-NN alakban írd, például 03-31, vagy 31.03.
error-unsubscribe-link-invalid = Ez a hivatkozás nem a miénk, vagy hiányzik egy része. Másold ki a teljes hivatkozást az e-mailből, vagy kérdezz minket a pultnál.
error-invalid-link-base = Az üzlet oldalainak címét http:// vagy https:// előtaggal írd, például https://uzlet.example:8470.
error-invalid-segment = Nincs ilyen tagcsoport: at-risk, new, regulars, birthday vagy panel.
error-invalid-channel = Nincs ilyen csatorna: email vagy sms.
error-invalid-pages-address = Add meg, hol szolgáljuk ki az oldalakat, cím:port alakban, például 0.0.0.0:8470 (az üzlet teljes hálózata), vagy hagyd üresen.
error-pages-unavailable = Az oldalak nem szolgálhatók ki itt: { $address }, talán egy másik program már használja. Válassz másik portot.
error-invalid-mail-server = { $url } nem levelezőszerver-cím: írd így: smtps://felhasznalo:jelszo@mail.example, vagy smtp://…?tls=required.
error-insecure-mail-server = { $url } nem titkosított: a tagok címei és a jelszó titkosítatlanul mennének át a hálózaton. Használj smtps://-t, vagy írd hozzá: ?tls=required.
error-invalid-sender = A feladó címét így írd: Név <cim@example.com>.
error-campaign-not-found = Nincs ilyen azonosítójú, e-mailben küldött kampány.
error-pages-not-served = Az üzlet oldalai nem érhetők el a hálózaton: egy vezető adja meg a címüket a beállításokban (például 0.0.0.0:8470).
error-compensation-rule-twice = Panasztípusonként csak egy szabály lehet ({ $category }).
error-survey-link-invalid = Ez a kérdőív-hivatkozás nem ennek az üzletnek a része, vagy módosították.
error-survey-answered = Erre a kérdőívre már válaszoltak. Köszönjük!
error-survey-expired = Ez a kérdőív-hivatkozás már túl régi.
error-not-on-panel = Ez a tag nem egyezett bele, hogy megkérdezzük a véleményét.
error-survey-asked-recently = Ettől a tagtól nemrég kérdeztük meg a véleményét: újra { $date } után.
error-invalid-survey-answer = Kérjük, válaszoljon { $field ->
        [nps] az első kérdésre, 0-tól 10-ig
        [topic] az egyik lehetőséggel
       *[other] arra, mennyire elégedett, 1-től 5-ig
    }.
error-invalid-survey-interval = Egy tag két kérdőíve között 1 és 3650 közötti nap lehet.
error-we-did-not-found = Nincs ilyen „Ön mondta, mi megtettük” bejegyzés.
error-mail-server-unreachable = A(z) { $url } levelezőszerver nem érhető el: { $sent } elküldve, { $waiting } várakozik. A többit később így küldd el: tessera campaign resume { $campaign } (senki sem kapja meg kétszer ugyanazt a levelet).
manage-tab-cards = Kártyák és szinkronizálás
manage-tab-programs = Programok
manage-tab-members = Tagok
manage-tab-reports = Kimutatások
manage-tab-feedback = Vélemények
reports-title = Megtartja a vásárlókat a program?
reports-from = Ettől
reports-to = Eddig
reports-this-month = Ez a hónap
reports-counting = Számolás…
reports-days-in = A napok a(z) { $zone } szerint.
reports-returning = Visszatérő tagok
reports-rewards = Kiadott jutalmak
reports-new = Új tagok
reports-visits-per-week = Látogatások hetente
reports-visits = Látogatások
reports-programs = Programok
reports-program = Program
reports-punches = Pecsétek
reports-earned = Megszerzett jutalmak
reports-redeemed = Kiadott jutalmak
reports-unit-points = pont
reports-unit-stamps = pecsét
reports-retention = Visszatérő új tagok
reports-retention-explained = A havonta belépett tagok közül, akik egy későbbi napon visszatértek 30, 60 és 90 napon belül. Az utolsó hónapok még számolnak.
reports-within-days = { $days } napon belül
reports-at-risk = Veszélyeztetett törzsvendégek
reports-at-risk-explained = { $date } napon { $count } törzsvendég nem jött a szokásos ideje kétszereséig.
reports-member = Tag
reports-usual = Általában ennyi naponta
reports-last-visit = Utolsó látogatás
reports-away = Távol
reports-consent = Elérhető
reports-days = { $count } nap
reports-consent-email = e-mailben
reports-consent-sms = SMS-ben
reports-staff = Munkatársak
reports-staff-member = Munkatárs
reports-enrolments = Belépések
reports-voids = Sztornók
reports-overrides = Kivételek
reports-cancelled = Sajátja sztornózva
reports-complaints-logged = Rögzített panaszok
reports-complaints-resolved = Rendezett panaszok
reports-feedback-collected = Kitöltött kérdőívek
surveys-title = Mit mondanak a tagok
surveys-nps = Net Promoter Score
surveys-answered = { $asked } megkérdezettből { $answered } válaszolt
surveys-promoters = ajánlana minket (9–10)
surveys-passives = elégedett (7–8)
surveys-detractors = elégedetlen (0–6)
surveys-none = Ebben az időszakban még nincs válasz.
surveys-nps-by-month = Net Promoter Score havonta
surveys-topics = Mi a legfontosabb nekik, és mennyire elégedettek vele
surveys-importance = Ennyinek a legfontosabb
surveys-satisfaction = Elégedettség
surveys-act-here = Itt kell javítani
surveys-comments = Az ő szavaik
we-did-title = Ön mondta, mi megtettük
we-did-hint = Mit változtatott az üzlet a vélemények után? A legújabb három megjelenik a kérdőív oldalán.
we-did-add = Hozzáadás
we-did-withdraw = Levétel
we-did-none = Még nincs bejegyzés.
complaints-title = Panaszok
complaints-figures = Ebben a hónapban: { $logged } rögzítve, { $open } nyitott, { $overdue } lejárt · { $median } óra a rendezésig (medián) · a következő látogatáskor: { $yes } rendezve, { $no } nem
complaints-none-open = Nincs nyitott panasz.
complaints-owner = Felelős: { $name }
complaints-due = határidő: { $date }
complaints-overdue = lejárt: { $date }
complaints-how = Hogyan rendezték?
complaints-put-right = Rendezve
manage-tab-staff = Személyzet
manage-tab-audit = Napló
manage-tab-backups = Biztonsági mentések
manage-tab-settings = Beállítások
programs-title = Hűségprogramok
program-new = Új program
program-edit = Módosítás
program-edit-title = „{ $program }” módosítása
program-pause = Szüneteltetés
program-resume = Folytatás
program-retire = Lezárás
program-retire-confirm = Végleg lezárod: „{ $program }”? Nem ad több pecsétet; a már megszerzett jutalmak beválthatók.
program-kind = Típus
program-kind-stamps = Pecsétek: ennyi pecsét egy jutalomért
program-kind-points = Pontok: az elköltött összeg után, jutalmak ponthatároknál
program-expiry = A jutalmak lejárnak (nap múlva)
program-never = Soha
program-points-per-unit = Pont minden elköltött egység után
program-tiers = Jutalmak
program-tier-points = Pont
program-tier-add = Jutalom hozzáadása
program-tier-remove = Eltávolítás
program-gap = Legalább ennyi perc egy tag két pecsétje között
program-no-gap = Nincs minimum
program-starts-new = Más pecsétszám vagy más lejárat új programot indít: a tagok megtartják, amit ebben szereztek.
program-save = Mentés
program-expiry-days = a jutalmak { $days } nap után lejárnak
program-gap-minutes = { $minutes } perc két pecsét között
member-erased-name = Törölt tag
member-erased-title = { $code } tag: személyes adatok törölve
member-erased-hint = Törölve: { $date }. A kártya és az előzményei megmaradnak, név nélkül.
consent-title = Írhatunk neki?
member-birthday = Születésnap (hónap és nap)
member-birthday-hint = HH-NN
consent-email = Email
consent-sms = SMS
consent-panel = Panel: időnként megkérdezzük a véleményét
consent-yes-since = igen, { $date } óta
consent-no-since = nem, { $date } óta
consent-unasked = még nem kérdeztük: nem küldünk semmit
consent-yes = Igen
consent-no = Nem
member-export-data = Minden, amit tárolunk (fájl)
member-erase = Személyes adatok törlése
member-erase-confirm = Végleg törlöd { $name } nevét, emailjét, telefonszámát és hozzájárulását? A kártya és a pecsétek megmaradnak, név nélkül.
members-files-title = Tagok fájlban
campaign-title = Írj a tagoknak
campaign-hint = A fájlban csak azok a tagok vannak, akik igent mondtak ezen a csatornán, és van itt címük. Minden üzenet alján a hivatkozás végleg leiratkoztatja a tagot.
campaign-segment = Kinek
campaign-segment-at-risk = Törzsvendégek, akik elmaradtak
campaign-segment-new = Új tagok (30 nap)
campaign-segment-regulars = Törzsvendégek (3 látogatás 90 nap alatt)
campaign-segment-birthday = Ebben a hónapban van a születésnapjuk
campaign-segment-panel = A panel
campaign-channel = Hogyan
campaign-reach = { $members } tagból { $reachable } kaphat üzenetet
campaign-left-out = Kimaradt: { $noConsent } beleegyezés nélkül, { $noContact } cím nélkül.
campaign-message = A te szavaid (ahogy írod, egy nyelven)
campaign-with-coupon = Mindenkinek egy kupon
campaign-coupon-kind = Kupon
campaign-coupon-free_item = Egy ingyenes termék
campaign-coupon-amount_off = Összegkedvezmény
campaign-coupon-percent_off = Százalékos kedvezmény
campaign-coupon-value = Hány termék, mekkora összeg vagy hány százalék
campaign-coupon-text = Mi áll rajta
campaign-coupon-expires = Utolsó nap (üresen 90 nap)
coupon-issue-title = Kupon adása
coupon-issue-for = { $name } részére (a következő beolvasáskor látszik)
coupon-issue-only-here = Csak ebben az üzletben
coupon-issue-format = A kupon papírja
coupon-issue-format-a6 = A6 (irodai nyomtató)
coupon-issue-format-strip-58 = Blokkpapír, 58 mm
coupon-issue-format-strip-80 = Blokkpapír, 80 mm
coupon-issue = Kupon adása és nyomtatása
coupon-issued = A(z) { $token }… kupon kiadva; nyomtatható.
campaign-link-base = A kassza oldalainak címe a leiratkozási hivatkozásokhoz
campaign-export = Exportálás a levelezőprogramomhoz
campaign-exported = { $written } tag kiírva ide: { $file }
members-export = Minden tag exportálása (CSV)
members-import = Tagok importálása CSV-fájlból (Excel)
members-import-written = { $rows } sor beolvasva ({ $encoding }): { $added } tag hozzáadva.
members-import-read = { $rows } sor beolvasva ({ $encoding }). Semmi sem kerül mentésre, amíg az egész fájl nem hibátlan.
members-import-line = { $line }. sor
members-import-duplicate = { $line }. sor: ugyanaz a(z) { $field }, mint: { $with }
members-import-allow-duplicates = Importáld mégis (különböző emberek)
members-import-confirm = { $rows } tag importálása
file-open = Megnyitás
settings-title = A kassza beállításai
settings-shop-title = Az üzlet (a lánc minden kasszája)
settings-shop-language = Alapértelmezett nyelv (képernyők, kártyák, új tagok)
settings-shop-currency = Pénznem (három betű, például HUF)
settings-shop-time-zone = Időzóna (a kimutatások ebben számolják a napokat)
settings-survey-interval = Ennyi nap múlva kérdezhető újra egy tag (üresen 90)
settings-idle = Kijelentkezés ennyi perc tétlenség után (0: soha)
settings-pin-again = Az üzletvezető PIN-kódjának újrakérése (perc múlva)
settings-sounds = Hang pecsétnél, jutalomnál és elutasításnál
settings-card-layout = A kártyák nyomtatása általában
settings-printer = Nyomtató a kártyákhoz
settings-printer-default = A rendszer alapértelmezettje ({ $name })
settings-pages = A kassza oldalai az üzlet hálózatán (cím:port)
settings-pages-hint = Az üzlet leveleinek leiratkozási hivatkozásai ide vezetnek. Üres: nincsenek oldalak. A 0.0.0.0:8470 az egész hálózatnak válaszol.
settings-save = Mentés
settings-saved = Mentve.
compensation-title = Panaszok: mit javasol a kassza
compensation-hint = Minden panasztípusra az a kupon, amelyet a munkatárs azonnal adhat. Üresen hagyott szöveg: a kassza saját szövege.
compensation-none = Semmi
compensation-value = Érték
compensation-days = Nap
pin-again-title = Üzletvezetői PIN-kód
pin-again-hint = Írd be újra a PIN-kódodat az üzletvezetői képernyőkhöz.
pinpad-delete = Törlés
pinpad-clear = Mind törlése
staff-title = Személyzet
staff-rename = Átnevezés
staff-new-pin = Új PIN-kód
staff-save = Mentés
staff-unlock = Feloldás
staff-make-cashier = Legyen pénztáros
staff-make-manager = Legyen üzletvezető
staff-deactivate = Kikapcsolás
staff-activate = Visszakapcsolás
staff-add-title = Munkatárs felvétele
staff-name = Név
staff-role = Szerepkör
staff-pin = PIN-kód (4–8 számjegy)
staff-add = Felvétel
audit-title = Ellenőrzési napló
audit-from = Ettől
audit-to = Eddig
audit-none = Ezekre a napokra nincs semmi a naplóban.
audit-when = Mikor
audit-what = Mi
audit-who = Ki
audit-detail = Részletek
backup-title = Biztonsági mentések
backup-hint = Minden nap magától készül egy biztonsági mentés; az utolsó hetet megőrizzük. Nagyobb változás előtt készíts egyet most.
backup-now = Mentés most
backup-none = Még nincs biztonsági mentés.
backup-restore = Visszaállítás
backup-restore-confirm = Visszaállítod a { $when } mentést a mai adatok helyére? Ami azóta történt, nem látszik majd ezen a kasszán (a mai adatok külön fájlban megmaradnak). Mindenki újra bejelentkezik.

## The menu entry of the installed app (scripts/dist.sh writes it into the .desktop file).
desktop-generic-name = Hűségkártyák
desktop-comment = Pecsételős kártyák, pontok és jutalmak a pultnál
