# Tessera — italiano. Stessi id del file inglese di riferimento.
# Le varianti vanno su righe proprie, rientrate, dopo "->" (categorie plurali CLDR).

app-title = Tessera
loading = Caricamento…
cancel = Annulla
close = Chiudi
back = Indietro
next = Avanti

## Languages (each written in its own language)

language-en = English
language-fr = Français
language-it = Italiano
language-ro = Română
language-hu = Magyar

## Primo avvio

setup-welcome = Benvenuti in Tessera
setup-intro = Configura il tuo negozio in tre brevi passaggi, oppure prova prima con dati di esempio.
setup-step = Passaggio { $step } di { $total }
setup-shop-title = Il tuo negozio
setup-shop-name = Nome del negozio
setup-language = Lingua
setup-currency = Valuta
setup-manager-title = Il primo responsabile
setup-manager-hint = Il responsabile crea i programmi fedeltà, stampa le tessere e consulta i report.
setup-manager-name = Il tuo nome
setup-pin = PIN (da 4 a 8 cifre)
setup-pin-again = Ripeti il PIN
setup-pin-mismatch = I due PIN sono diversi.
setup-program-title = La tua prima tessera a timbri
setup-program-name = Nome della tessera
setup-program-punches = Timbri per un premio
setup-program-reward = Premio
setup-program-default-name = Tessera caffè
setup-program-default-reward = Caffè omaggio
setup-finish = Apri la cassa
setup-demo = Prova con dati di esempio
setup-demo-hint = Un bar con 40 clienti. Responsabile: Alex, PIN 1234.
demo-pastry-card = Tessera brioche
demo-pastry-reward = Cornetto omaggio

## Accesso

signin-title = Chi c’è alla cassa?
signin-pin = PIN
signin-button = Accedi
signout = Esci

## Schermata di cassa

scan-prompt = Scansiona una tessera, o scrivi un nome o un codice
search-placeholder = Nome, telefono, email o codice
scan-armed = Scanner pronto
member-since = Cliente da { $date }
card-stamps = { $punches } / { $needed }
rewards-ready =
    { $count ->
        [one] { $count } premio pronto
       *[other] { $count } premi pronti
    }
reward-ready-named = Premio pronto: { $reward }!
no-reward = Ancora nessun premio
action-punch = Timbra
action-redeem = Riscatta il premio
action-undo = Storna
action-new-member = Nuovo cliente
action-clear = Prossimo cliente
feedback-punched = Timbro aggiunto sulla tessera «{ $program }»: { $punches } / { $needed }
feedback-reward-earned = Tessera completa! Premio pronto: { $reward }!
feedback-redeemed = Premio riscattato: { $reward }
feedback-points = { $program }: +{ $points } punti, { $balance } in tutto
punch-amount = Importo speso
action-add-points = Aggiungi punti
card-points = { $points } punti
points-next-reward = Ancora { $points } punti per { $reward }
reward-tier = { $reward } ({ $points } punti)
reward-lapses = scade il { $date }
override-title = Timbro dato meno di { $minutes } minuti fa
override-hint = Per timbrare comunque, scrivi il motivo. Il responsabile lo vede nel registro.
override-reason = Motivo
override-confirm = Timbra comunque
feedback-undone = Stornato: { $what }
last-action = Ultima azione: { $what } · { $time } · { $staff }
search-results =
    { $count ->
        [one] { $count } cliente trovato
       *[other] { $count } clienti trovati
    }
search-none = Nessun cliente trovato. Controlla come è scritto, oppure iscrivi un nuovo cliente.
search-ambiguous = Più clienti corrispondono: scegline uno.
confirm-repeat-punch = Timbro appena dato. Premi di nuovo { key-enter } per aggiungerne un altro.

## Tasti, chiamati come sulle tastiere vendute in Italia

key-enter = Invio
key-esc = Esc
key-ctrl-z = Ctrl+Z
key-r = R
key-arrows = ↑ ↓

## Che cosa è stata un’azione, nello storico e negli annullamenti

event-enroll = Iscrizione
event-punch =
    { $count ->
        [one] { $count } timbro sulla tessera «{ $program }»
       *[other] { $count } timbri sulla tessera «{ $program }»
    }
event-redeem = Premio riscattato con la tessera «{ $program }»
event-void = Storno: { $reason }

## Annulla

undo-title = Stornare l’ultima operazione?
undo-reason = Perché?
undo-reason-wrong-member = Cliente sbagliato
undo-reason-scanned-twice = Scansionata due volte
undo-reason-wrong-card = Tessera sbagliata
undo-reason-other = Altro
undo-confirm = Sì, storna
undo-keep = No, lascia così

## Iscrizione

enroll-title = Nuovo cliente
enroll-name = Nome
enroll-email = Email (facoltativa)
enroll-phone = Telefono (facoltativo)
enroll-language = Lingua del cliente
enroll-submit = Iscrivi
enroll-done = Diamo il benvenuto a { $name }!
enroll-code = Codice cliente
enroll-code-hint = Per ora scrivi questo codice su una tessera: le tessere stampate si creano dalla schermata del responsabile.
enroll-open = Apri la scheda cliente

## Riga di comando

cli-shop-ready = Il negozio “{ $shop }” è pronto. Responsabile: { $manager }.
program-terms-stamps = { $needed } timbri → { $reward }
program-terms-points = { $points } punti per unità spesa: { $tiers }
program-status-active = attivo
program-status-paused = in pausa
program-status-retired = chiuso
cli-program-replaced = Sostituisce il programma { $old }, ora chiuso: i clienti tengono quello che ci hanno guadagnato.
cli-member-added = Nuovo cliente: { $name }. Codice: { $code }
cli-no-members = Nessun cliente trovato.
cli-member-erased = Cliente { $code }: dati personali cancellati.
cli-consent-yes = sì (dal { $date })
cli-consent-no = no (dal { $date })
cli-consent-unasked = non chiesto
cli-member-birthday = compleanno: { $day }
cli-campaign-done = Campagna { $segment }: scritto a { $written } { $members ->
    [one] socio
   *[other] soci
} su { $members }
cli-campaign-left-out = esclusi: { $no_consent } senza il loro sì, { $no_contact } senza indirizzo
cli-campaign-file = scritta in { $file }
cli-campaign-sent = { $sent ->
    [one] { $sent } email inviata
   *[other] { $sent } email inviate
}, { $refused } rifiutate dal server di posta
cli-serving = Le pagine del negozio rispondono a { $url } (Ctrl+C per fermarle)
mail-subject = Novità da { $shop }
mail-subject-coupon = { $shop }: { $offer } per te
mail-greeting = Ciao { $name },
mail-coupon = Per te: { $text } ({ $offer }), valido fino al { $date }. È già sulla tua carta fedeltà: mostra la carta al banco, o il buono allegato.
mail-coupon-no-expiry = Per te: { $text } ({ $offer }). È già sulla tua carta fedeltà: mostra la carta al banco, o il buono allegato.
mail-footer = Ricevi questa email perché hai accettato di ricevere notizie da { $shop }. Per non riceverne più: { $link }
mail-footer-no-link = Ricevi questa email perché hai accettato di ricevere notizie da { $shop }. Per non riceverne più, diccelo al banco.
mail-voucher-file = buono
page-unsubscribe-email = Non ricevere più email da { $shop }?
page-unsubscribe-sms = Non ricevere più SMS da { $shop }?
page-unsubscribe-panel = Lasciare il panel di { $shop }? Non ti chiederemo più il tuo parere.
page-unsubscribe-button = Sì, basta
page-unsubscribe-done = Fatto: { $shop } non ti scriverà più in questo modo. Puoi cambiare idea al banco.
page-not-ready = Le pagine del negozio non sono pronte. Riprova tra un momento.
page-survey-visits = Grazie per { $visits ->
        [one] la sua visita
       *[other] le sue { $visits } visite
    } da { $shop }.
page-survey-favourite = La sua tessera da noi: { $program }.
page-survey-nps = Quanto è probabile che consigli { $shop } a un amico?
page-survey-nps-low = Per niente
page-survey-nps-high = Sicuramente
page-survey-topic = Che cosa conta di più per lei quando viene da noi?
page-survey-topic-score = E quanto ne è soddisfatto?
page-survey-score-low = Per niente
page-survey-score-high = Molto
page-survey-comment = Vuole dirci qualcosa? (facoltativo)
page-survey-send = Invia
page-survey-done = Grazie! Le sue risposte aiutano { $shop } a migliorare.
page-survey-we-did = Ci avete detto, abbiamo fatto
topic-quality = La qualità
topic-service = La cortesia
topic-speed = Non aspettare
topic-price = Il rapporto qualità-prezzo
topic-cleanliness = La pulizia
topic-choice = La scelta
cli-import-written = { $rows } righe lette ({ $encoding }): { $added } clienti aggiunti.
cli-import-read = { $rows } righe lette ({ $encoding }): niente è stato salvato.
cli-import-problem = Riga { $line }, { $field }: { $error }
cli-import-line = la riga { $line }
cli-import-duplicate = Riga { $line }: stesso { $field } di { $with }
cli-file-written = Scritto: { $file }
cli-shop-local-time = il fuso orario di questo computer
cli-voided = Stornato. Motivo: { $reason }
cli-doctor-ok = Tutto in ordine.
cli-doctor-problems = Problemi trovati: { $count }.
cli-doctor-rebuilt = Saldi delle tessere e dati dei rapporti ricalcolati dallo storico.
cli-doctor-progress = Verifica in corso… { $done } controlli su { $total } fatti
cli-doctor-everything = Controllato tutto l’archivio.
cli-doctor-since = Controllati { $count ->
        [one] l’evento
       *[other] i { $count } eventi
    } dall’ultimo controllo senza problemi ({ $date }), e ciò che hanno cambiato. `tessera doctor --full` controlla tutto.

## Schermata del responsabile

manage-open = Responsabile
manage-back = Torna alla cassa
print-title = Stampa tessere fedeltà
print-layout = Carta
print-layout-cr80 = Stampante di tessere (una tessera per pagina)
print-layout-a4 = Foglio A4 da 10 biglietti da visita
print-who = Tessere per
print-who-all = Tutti i clienti
print-who-member = Solo { $name }
print-language = Lingua sulle tessere
print-language-member = La lingua di ogni cliente
print-button = Crea il PDF
print-progress = { $done } / { $total }
print-done =
    { $count ->
        [one] { $count } tessera pronta.
       *[other] { $count } tessere pronte.
    }
print-open = Apri
print-send = Stampa
print-show-folder = Mostra nella cartella
print-sent = Inviato a { $printer } (lavoro { $job }).
print-default-printer = la stampante predefinita
print-test-page = Pagina di prova della stampante
scanner-test-title = Prova dello scanner
scanner-test-hint = Scansiona una tessera qualsiasi: qui vedi cosa ha digitato lo scanner e come l’ha letto Tessera.
scanner-test-arrived = Ricevuto
scanner-test-keys = Tasti premuti
scanner-test-readings = Letto come
scanner-test-source-key-codes = dai tasti premuti
scanner-test-source-as-typed = così come digitato
scanner-test-source-layout = come uno scanner US su una tastiera con layout { $layout }
# Layout di tastiera, letti in scanner-test-source-layout: «una tastiera con layout tedesco».
keyboard-layout-us = americano (US)
keyboard-layout-fr = francese
keyboard-layout-be = belga
keyboard-layout-de = tedesco
keyboard-layout-hu = ungherese
keyboard-layout-it = italiano
keyboard-layout-ro = rumeno (standard)
scanner-test-result = Risultato
scanner-test-found = Tessera di { $name }
card-replace-title = Tessera di { $name }
card-replace-button = Sostituisci una tessera persa
card-replace-confirm = La vecchia tessera sarà rifiutata da ora in poi. Il cliente conserva tutti i timbri e i premi.
card-replace-done = Nuova tessera: { $code }. Stampala a sinistra; la vecchia tessera da ora è rifiutata.

## Printed cards

card-tagline = Mostra questa tessera alla cassa per raccogliere i timbri.
card-test-title = Prova di stampa: il righello deve misurare esattamente 100 mm.
card-test-hint = Se non è così, disattiva «adatta alla pagina» nella finestra di stampa.
card-test-sample = Tessera di esempio
cli-card-revoked = Tessera { $code } annullata.
cli-card-issued = Tessera di { $name }: { $code }
cli-cards-written = { $count -> 
        [one] { $count } tessera scritta in { $file }
       *[other] { $count } tessere scritte in { $file }
    }
cli-printed = Inviato a { $printer } (lavoro { $job }).
cli-printer-default = la stampante predefinita
cli-printers-none = Il servizio di stampa di questo computer non conosce nessuna stampante.
cli-printer-is-default = (predefinita)

## Errori

error-shop-not-set-up = Il negozio non è ancora configurato. Avvia la configurazione iniziale.
error-shop-already-set-up = Questo negozio è già configurato.
error-empty-field = Inserisci { $field ->
        [shop_name] il nome del negozio
        [reward] il premio
        [reason] il motivo
       *[other] il nome
    }.
error-too-long = Troppo lungo: al massimo { $max } caratteri.
error-invalid-email = Questo indirizzo email non sembra corretto.
error-invalid-phone = Questo numero di telefono non sembra corretto.
error-invalid-language = Questa lingua non è disponibile.
error-invalid-currency = La valuta è un codice di tre lettere, come EUR.
error-invalid-time-zone = Questo non è un fuso orario. Scrivilo come nel database tz, per esempio Europe/Rome o Europe/Paris.
error-invalid-period = Il periodo inizia dopo la fine. Scegli un primo giorno uguale o precedente all’ultimo.
error-event-time-out-of-range = L’ora di questo evento è fuori dagli anni dal 1677 al 2262, che il registro non può conservare. Controlla l’orologio della cassa che lo ha scritto.
error-invalid-pin = Il PIN deve avere da 4 a 8 cifre.
error-invalid-punches-needed = Una tessera richiede da 1 a { $max } timbri.
error-invalid-count = Puoi mettere da 1 a { $max } timbri alla volta.
error-program-not-found = Questo programma fedeltà non esiste.
error-invalid-number = { $field ->
        [points_per_unit] I punti per unità spesa vanno da { $min } a { $max }.
        [tier_points] Un premio costa da { $min } a { $max } punti.
        [reward_days] Un premio può durare da { $min } a { $max } giorni.
        [min_gap_minutes] L’intervallo tra due timbri va da { $min } a { $max } minuti.
        [amount] Scrivi l’importo speso, per esempio 12,50.
        [idle_sign_out_minutes] L’uscita automatica va da { $min } a { $max } minuti.
        [pin_again_minutes] Il PIN si richiede dopo { $min }–{ $max } minuti.
       *[other] Scrivi un numero da { $min } a { $max }.
    }
error-invalid-tiers = Un programma a punti ha da 1 a 10 premi, ognuno per un numero di punti diverso.
error-program-retired = Questo programma è chiuso: non dà più timbri e non si può modificare. I premi già guadagnati si possono ancora riscattare.
error-punch-too-soon = Questo cliente ha ricevuto un timbro meno di { $minutes } minuti fa. Per timbrare comunque, scrivi il motivo.
error-amount-required = Questo programma dà punti in base all’importo speso: scrivi l’importo.
error-no-points-for-amount = Questo importo non dà punti.
error-reward-required = Scegli il premio.
error-program-inactive = Questo programma fedeltà è in pausa: niente timbri finché un responsabile non lo riprende.
error-program-required = Il negozio ha più tessere: scegli quale.
error-no-active-program = Nessun programma fedeltà attivo. Un responsabile può aggiungerne uno.
error-member-not-found = Questo cliente non esiste.
error-member-erased = I dati personali di questo cliente sono stati cancellati.
error-csv-no-name-column = Il file non ha una colonna di nomi: la prima riga deve dare il nome delle colonne (nome, email, telefono…).
error-file-unreadable = Impossibile leggere { $path }. Controlla il nome del file e che ci sia.
error-unknown-code = Nessun cliente ha questo codice. Controlla la tessera, oppure iscrivi il cliente.
error-mistyped-code = Questo codice contiene un errore di battitura. Controlla ogni carattere e riprova.
error-not-a-code = Questo non è un codice cliente.
error-card-replaced = Questa tessera è stata sostituita il { $date }: chiedi la tessera nuova.
error-card-revoked = Questa tessera è stata annullata il { $date }. Un responsabile può emetterne una nuova.
error-forged-card = Questa tessera non è autentica: il suo codice non risulta valido.
error-unknown-card-key = Questa tessera viene da un negozio che questa cassa non conosce ancora. Sincronizza la cassa e scansiona di nuovo.
error-truncated-card = La tessera è stata letta solo in parte. Scansionala di nuovo.
error-invalid-layout = Scegli un formato: cr80 (stampante di tessere) o a4-10 (foglio A4 da 10).
error-nothing-to-redeem = Ancora nessun premio da riscattare.
error-coupon-not-card = Questo è un buono, non una tessera fedeltà: prendilo con «Usa il buono».
error-not-a-coupon = Questo non è un buono.
error-forged-coupon = Questo buono non è autentico (alterato o letto male): scansionalo di nuovo, o rifiutalo.
error-unknown-coupon-key = Questo buono viene da una cassa non ancora sincronizzata con questa: sincronizza, poi scansionalo di nuovo.
error-truncated-coupon = Il buono è stato letto solo in parte: scansionalo di nuovo.
error-coupon-used = Questo buono è già stato usato il { $date }.
error-coupon-expired = Questo buono è scaduto il { $date }.
error-coupon-withdrawn = Questo buono è stato ritirato il { $date }.
error-coupon-other-shop = Questo buono vale solo nel negozio che l'ha dato.
error-coupon-not-found = Buono non trovato.
error-expiry-past = L'ultimo giorno di un buono è oggi o dopo (prima del 2109).
error-coupon-charge-back = Un buono usato due volte non ha un prossimo premio da cui scalarlo: accetta la perdita.
error-complaint-not-found = Reclamo non trovato.
error-complaint-compensated = Questo reclamo ha già il suo buono.
error-no-compensation = Le regole del negozio non propongono un buono per questo tipo di reclamo.
error-complaint-resolved = Questo reclamo è già risolto.
error-follow-up-answered = Il cliente ha già risposto su questo reclamo.
error-event-not-found = Azione non trovata.
error-already-voided = Questa operazione è già stata stornata.
error-not-voidable = Si possono stornare solo timbri e premi riscattati.
error-reward-already-redeemed = Il premio di questi timbri è già stato usato: prima storna il riscatto.
error-nothing-to-undo = Nessuna operazione da stornare. Puoi stornare le tue operazioni recenti; quelle più vecchie le corregge un responsabile.
error-reason-required = Indica un motivo.
error-staff-not-found = Nessuno del personale ha questo nome.
error-staff-name-taken = Qualcuno del personale ha già questo nome.
error-wrong-pin = Nome o PIN errato. Riprova.
error-sign-in-wait = Troppi PIN errati. Riprova tra { $seconds } s.
error-sign-in-locked = Troppi PIN errati: questo nome è bloccato. Un responsabile lo sblocca in Responsabile › Personale.
error-last-manager = Il negozio deve avere almeno un responsabile attivo. Nomina prima qualcun altro responsabile.
error-restore-in-chain = Questo backup è di una cassa di una catena: non può ancora essere ripristinato (l’hub ha già quello che questa cassa ha fatto da allora). Non è stato cambiato nulla. Unisciti di nuovo alla catena come nuova cassa: i suoi dati tornano con la sincronizzazione.
error-manager-only = Solo un responsabile può farlo.
error-pin-again = Scrivi di nuovo il tuo PIN per aprire le schermate del responsabile.
error-database-locked = Il database è occupato da un altro programma: questa operazione NON è stata salvata. Chiudi l’altro programma e riprova.
error-store-unwritable = Tessera non riesce a scrivere nel database ({ $path }): questa operazione NON è stata salvata. Controlla che il disco sia collegato e che il file non sia in sola lettura.
error-store-corrupt = Il file del database è danneggiato: non si può più salvare nulla. Non cancellarlo; chiama l’assistenza.
error-disk-full = Il disco è pieno: questa operazione NON è stata salvata. Libera spazio e riprova.
error-open-failed = Nessun programma è riuscito ad aprire questo file: { $path }
error-printing-unavailable = Questo computer non ha un servizio di stampa. Apri il PDF e stampalo dal visualizzatore, oppure installa CUPS.
error-print-failed = La stampante ha rifiutato il lavoro ({ $detail }). Controlla la stampante nelle Impostazioni, oppure apri il PDF e stampalo dal visualizzatore.
error-storage-error = Qualcosa è andato storto: questa operazione NON è stata salvata. Riprova; se succede ancora, chiama l’assistenza.

error-sign-in-required = Accedi prima di continuare.
error-unexpected = È successo qualcosa di imprevisto. Riprova.

## The till, safe under pressure
menu-about = Informazioni su Tessera
about-title = Informazioni su Tessera
about-version = Versione { $version }
about-database = Database
about-logs = Log
about-fonts = Caratteri
about-libraries = { $count } librerie
till-menu = Menu
scan-last = Ultima scansione { $time }
scan-paused = Lettore in pausa: tocca lo schermo
not-saving-title = Nessun salvataggio
not-saving-file = File del database: { $path }
saving-wait = Salvataggio… il database è occupato.
redeem-confirm-title = Dare «{ $reward }» a { $name }?
redeem-confirm-hint = { key-enter }: sì, dallo · { key-esc }: non ora
redeem-confirm-yes = Sì, dai il premio
redeem-confirm-no = Non ora
undo-at = { $what } · { $time }
undo-window = Puoi stornare le tue operazioni degli ultimi { $minutes } minuti. Quelle più vecchie le corregge un responsabile.
undo-other-placeholder = Che cosa è successo?
enroll-duplicates-title = È già socio?
enroll-duplicates-hint = Questi soci hanno lo stesso nome, la stessa email o lo stesso numero di telefono.
enroll-duplicate-open = Apri questo socio
enroll-anyway = È un’altra persona: iscrivi
enroll-submit-stamp = Iscrivi e timbra
db-missing-title = Il database del negozio non si trova
db-missing-new = Crea un nuovo negozio qui
db-missing-hint = Se il file è stato spostato, o si trova su un disco non collegato, rimettilo al suo posto e riavvia Tessera.
search-pick-hint = { key-arrows }: scegli · { key-enter }: apri
error-database-gone = Il file del database è stato cancellato o spostato mentre Tessera era aperto ({ $path }). Questa operazione NON è stata salvata, e nulla lo sarà finché il file non torna al suo posto: chiudi Tessera e rimetti il file.
error-database-missing = Il database del negozio non si trova: { $path }. È già stato usato su questo computer.
error-likely-duplicate = { $name } ({ $code }) potrebbe essere la stessa persona. Controlla prima di iscriverla due volte.
feedback-not-saved = Questa operazione NON è stata salvata (vedi sopra).
error-not-a-tessera-database = Questo file non è un database di Tessera: { $path }. Tessera non l’ha modificato. Scegli il file del database della cassa.
error-database-too-new = Questo database è stato creato da una versione più recente di Tessera (schema { $found }; questa versione arriva fino al { $supported }). Installa la versione più recente; il database non è stato modificato.
error-database-damaged = La struttura del database non è quella creata da Tessera: non è stato modificato nulla. Conserva il file e chiama l’assistenza.
error-invalid-characters = Il testo contiene caratteri che non si possono stampare né mostrare. Scrivilo di nuovo.
error-file-unwritable = Tessera non riesce a scrivere il file { $path }. Controlla che la cartella esista e non sia in sola lettura, poi riprova. Il database del negozio non è coinvolto.
error-internal-error = È successo qualcosa di imprevisto dentro Tessera: questa operazione NON è stata eseguita. Riprova; se succede ancora, chiama l’assistenza (la causa è scritta nel registro di Tessera).
error-invalid-arguments = Questo comando è incompleto o non è stato capito: { $detail }

## Sync with the chain
error-invalid-hub-url = «{ $url }» non è l’indirizzo di un hub. È simile a https://hub.esempio.it (chiedilo a chi gestisce l’hub della catena).
error-insecure-hub-url = { $url } non è cifrato. Un hub su un’altra macchina si raggiunge in HTTPS: usa un indirizzo https://.
error-invalid-certificate = Il file del certificato da accettare non è un certificato PEM (inizia con «-----BEGIN CERTIFICATE-----»).
error-hub-unreachable = L’hub { $url } non è raggiungibile. La cassa continua a funzionare offline e invierà tutto quando la linea torna.
error-hub-token-refused = L’hub non accetta il token di questa cassa ({ $reason }). Chiedine uno nuovo a chi gestisce l’hub; su questa cassa non si perde nulla.
error-hub-refused = L’hub ha rifiutato ({ $reason }). Su questa cassa non si perde nulla; se succede di nuovo, chiama l’assistenza.
error-not-in-chain = Questa cassa non fa ancora parte di una catena. Prima unisciti a una (Impostazioni › Sincronizzazione, o «tessera join»).
error-already-in-chain = Questa cassa fa già parte di una catena. Una cassa si sincronizza con un solo hub.
cli-join-done = Questa cassa è ora la cassa { $device } di «{ $shop }» nella catena di { $hub }.
cli-sync-done = Sincronizzato: { $sent } inviati, { $received } ricevuti.
cli-sync-rejected = L’hub ha rifiutato { $count } elementi di questa cassa: vedi «tessera sync status». Nient’altro è bloccato.
cli-sync-code-clashes = { $count } clienti di altri negozi hanno un codice tessera che un cliente di qui ha già (codici creati prima di unirsi alla catena). Sono messi da parte per un responsabile.
cli-sync-not-in-chain = Questa cassa non fa parte di una catena.
cli-sync-status = Hub { $hub } · cassa { $device } · in attesa di invio: { $events } eventi, { $changes } modifiche.
cli-sync-last = Ultima sincronizzazione: { $at }.
cli-sync-never = Non ancora sincronizzata.
cli-sync-last-error = L’ultimo tentativo non è riuscito: { $code }.
cli-sync-code-clash = ⚠ Tessera { $code }: «{ $name }» di un altro negozio ha lo stesso codice di «{ $holder }» qui. Riemetti una delle due tessere.
error-no-such-conflict = Questo riscatto non è in conflitto, oppure un responsabile l’ha già risolto. Sincronizza, poi guarda di nuovo i conflitti.
event-forgive = Conflitto risolto, perdita accettata: { $reason }
event-charge-back = Conflitto risolto, lo paga il prossimo premio: { $reason }
cli-conflicts-none = Nessun conflitto.
cli-conflict = { $id }  { $member } ({ $code }) · { $program } · riscattato a { $shop } il { $at } · saldo { $balance }
sync-line-online = Online
sync-line-offline = Offline
sync-line-failing = Sincronizzazione rifiutata
sync-line-not-yet = Non ancora sincronizzata
sync-at = sincronizzata alle { $time }
sync-waiting =
    { $count ->
        [one] 1 in attesa
       *[other] { $count } in attesa
    }
sync-title = Sincronizzazione con la catena
sync-hub = Hub
sync-device = Numero di cassa
sync-line = Connessione
sync-last = Ultima sincronizzazione
sync-never = Mai
sync-waiting-label = In attesa di invio
sync-rejected = Rifiutati dall’hub
sync-code-clashes = Codici tessera in comune con un cliente di un altro negozio
sync-now = Sincronizza ora
sync-join-title = Unisciti a una catena
sync-join-hint = Chiedi a chi gestisce l’hub della catena l’indirizzo e un token per questa cassa. Programmi, personale e clienti della catena arrivano su questa cassa.
sync-join-hub = Indirizzo dell’hub
sync-join-token = Token di questa cassa
sync-join = Unisciti
setup-join = Unisciti a una catena
setup-join-hint = Questo negozio fa parte di una catena con un hub.
conflicts-title = Conflitti
conflicts-none = Nessun conflitto.
conflict-line = { $program }: un premio di troppo, riscattato a { $shop } alle { $time }
conflict-reason = Motivo
conflict-accept = Accetta la perdita
conflict-charge-back = Scalalo dal prossimo premio
conflict-coupon = Buono «{ $coupon }»
conflict-coupon-line = { $coupon }: già usato una volta, usato di nuovo presso { $shop } alle { $time }
error-hub-certificate-untrusted = L’hub { $url } presenta un certificato di cui questa cassa non si fida. Se è il certificato della tua catena, dai il suo file alla cassa (tessera join --trust FILE); altrimenti controlla l’indirizzo.
error-already-one-member = Questi due sono già un solo cliente.
event-merge = Unito a un doppione di questo cliente
event-coupon-redeem = Buono usato

## Coupons
coupon-free-item = { $count ->
    [one] Un articolo in omaggio
   *[other] { $count } articoli in omaggio
}
coupon-amount-off = { $amount } di sconto
coupon-percent-off = Sconto del { $percent } %
coupon-until = Valido fino al { $date }
coupon-no-expiry = Senza scadenza
coupon-only-issuing-shop = Valido solo nel negozio che l'ha dato
coupon-ready = Pronto da usare
coupon-for = Per { $member }
feedback-coupon-scanned = Buono: { $offer }. Premi Invio per usarlo.
feedback-coupon-used = Buono usato: { $offer }
action-use-coupon = Usa il buono
member-coupons = { $count ->
    [one] Un buono da usare
   *[other] { $count } buoni da usare
}
cli-coupon-used = Buono usato: { $offer }
voucher-fine-print = Valido per un solo utilizzo. Buono { $id }
slip-headline = Diteci che cosa ne pensate
slip-offer = Tre domande brevi, un minuto
slip-until = Link valido fino al { $date }
slip-fine-print = Inquadri il codice con la fotocamera del telefono, o apra { $link }
cli-voucher-written = Buono salvato in { $file }
cli-slip-written = Biglietto del questionario salvato in { $file }

## Complaints
compensation-quality = Un prodotto a scelta, offerto da noi
compensation-service = Un caffè offerto, con le nostre scuse
compensation-wait = 10 % di sconto, per l'attesa
compensation-apology = Con le nostre scuse
cli-complaint-proposal = La regola del negozio propone un buono: «{ $coupon }» (tessera complaint compensate ID)
cli-complaints-none = Nessun reclamo aperto.
cli-follow-up-none = Niente da chiedere a questo cliente.
cli-compensation-rule = { $category }: { $offer }, valido { $days } giorni · «{ $text }»
cli-compensation-none = { $category }: nessuna proposta
cli-survey-due = A questo cliente si può chiedere l'opinione ora.
cli-survey-not-due = Non ora: questo cliente non è nel panel, o gli è stato chiesto di recente.
cli-survey-answered = Grazie: le risposte sono registrate.
cli-we-did-none = Ancora niente di scritto.
follow-up-question = L'ultima volta questo cliente ha fatto un reclamo. Il problema è stato risolto?
complaint-anonymous = Anonimo
complaint-put-right = Risolto, secondo il cliente
complaint-not-put-right = Non risolto, secondo il cliente
complaint-resolved = Risolto
complaint-due = Aperto, da risolvere entro il { $date }
complaint-category-quality = Qualità
complaint-category-service = Servizio
complaint-category-wait = Attesa
complaint-category-price = Prezzo o conto
complaint-category-cleanliness = Pulizia
complaint-category-other = Altro
complaint-severity-low = Lieve
complaint-severity-medium = Serio
complaint-severity-high = Molto serio
action-complaint = Reclamo
complaint-title = Un reclamo
complaint-for = Riguarda { $member }
complaint-anonymous-hint = Qualcuno che non è socio (nessuno è nominato)
complaint-category = Su cosa?
complaint-severity = Quanto è grave?
complaint-note = Cosa è successo, in poche parole
complaint-log = Registra
complaint-logged = Registrato: è tuo finché non è risolto, entro il { $due }.
complaint-proposal = Il negozio offre: { $coupon }
complaint-give = Dai il buono
complaint-not-now = Non ora
feedback-coupon-given = Buono dato: { $offer }
follow-up-yes = Sì, risolto
follow-up-no = No
feedback-follow-up-thanks = Grazie: la risposta è registrata.
survey-offer = Nel panel: chiedere la sua opinione?
survey-offer-hint = Tre domande brevi, sullo schermo del cliente o su un biglietto per il telefono.
survey-ask = Chiedi
feedback-survey-on-screen = Il questionario è sullo schermo del cliente.
survey-slip = Stampa un biglietto
action-survey-slip = Biglietto del questionario
feedback-slip-printed = Il biglietto del questionario è in stampa: lo consegni con lo scontrino.
error-no-follow-up = Niente da chiedere a questo cliente in questa visita.
cli-report-complaints = Reclami dal { $from } al { $to }: { $logged } ricevuti, { $resolved } risolti, { $open } aperti ({ $overdue } in ritardo)
cli-report-complaints-hours = Ore per risolvere: mediana { $median }, massimo { $max } · alla visita successiva: { $yes } risolti, { $no } no
cli-report-surveys = Questionari { $from } – { $to }: { $asked } chiesti, { $answered } compilati · NPS { $nps }
cli-report-surveys-topic = { $topic }: conta di più per il { $share } %, soddisfazione { $satisfaction } / 5
cli-report-surveys-topic-act = { $topic }: conta di più per il { $share } %, soddisfazione { $satisfaction } / 5 ← da migliorare

member-new-here = Nuovo in questo negozio
member-new-here-hint = Una tessera della catena: i timbri sono salvati, i dati del cliente arrivano con la prossima sincronizzazione.
merge-title = La stessa persona iscritta due volte?
merge-hint = Digita o scansiona l’altra tessera: i suoi timbri passano sulla tessera di { $name } ed entrambe le tessere continuano a funzionare.
merge-other = L’altra tessera
merge-button = Unisci a { $name }
merge-done = Unito: entrambe le tessere portano ora a { $name }.

## Staff and the audit trail
staff-role-manager = responsabile
staff-role-cashier = cassiere
staff-inactive = disattivato
staff-locked = bloccato
cli-staff-saved = Salvato.
cli-audit-none = Niente nel registro di controllo per queste date.
cli-report-summary-title = Riepilogo dal { $from } al { $to } (giorni secondo { $zone })
cli-report-returning = Clienti tornati: { $count }
cli-report-rewards-given = Premi consegnati: { $count }
cli-report-new-members = Nuovi clienti: { $count }
cli-report-visits-per-week = Visite per settimana:
cli-report-program = { $program } ({ $kind }): { $punches } timbri, { $earned } premi maturati, { $redeemed } riscattati
cli-report-retention-title = Nuovi clienti tornati, per mese di iscrizione, dal { $from } al { $to } (giorni secondo { $zone }); … = ancora in corso
cli-report-cohort = { $month }: { $count } nuovi · entro 30 giorni { $d30 } · 60 giorni { $d60 } · 90 giorni { $d90 }
cli-report-at-risk-title = Clienti abituali assenti da due volte il loro ritmo al { $date } ({ $zone }): { $count }
cli-report-at-risk-member = { $code }  { $name }: { $visits } visite, di solito ogni { $usual } giorni, l’ultima il { $last } ({ $away } giorni fa)
cli-report-staff-title = Personale dal { $from } al { $to } (giorni secondo { $zone })
cli-report-staff-member = { $name }: { $enrolments } iscrizioni, { $punches } timbri, { $redemptions } premi, { $voids } annullamenti, { $overrides } eccezioni, { $cancelled } dei suoi annullati, { $complaints_logged } reclami registrati, { $complaints_resolved } risolti, { $feedback } questionari compilati
cli-dev-seeded = Generati { $members } clienti e { $events } eventi.
cli-dev-storm-written = Scritto: { $kind } { $event }
cli-dev-seed-progress = { $done } / { $members } clienti, { $events } eventi…
cli-about-version = Tessera { $version }
cli-about-database = Database: { $path }
cli-about-logs = Log: { $path }
cli-about-licences = Realizzato con { $libraries } librerie e i caratteri DejaVu; le loro licenze: tessera about --licences
cli-backup-taken = Backup scritto: { $path } ({ $size } KB).
cli-restored = Ripristinato da { $path }.
cli-restore-kept = Il database sostituito è conservato in { $path }.
audit-kind-pin-failed = PIN errato
audit-kind-sign-in-locked = Bloccato dopo PIN errati
audit-kind-staff-unlocked = Sbloccato
audit-kind-staff-added = Membro del personale aggiunto
audit-kind-staff-renamed = Membro del personale rinominato
audit-kind-staff-role-changed = Ruolo cambiato
audit-kind-pin-set = PIN impostato
audit-kind-staff-deactivated = Membro del personale disattivato
audit-kind-staff-reactivated = Membro del personale riattivato
audit-kind-program-changed = Programma modificato
audit-kind-backup-taken = Backup eseguito
audit-kind-restored = Backup ripristinato
audit-kind-members-exported = Soci esportati
audit-kind-members-imported = Soci importati
audit-kind-member-erased = Dati di un socio cancellati
audit-kind-member-data-exported = Dati di un socio esportati
audit-kind-campaign-run = Campagna inviata ai soci
audit-kind-void = Annullato
audit-kind-forgive = Conflitto accettato
audit-kind-charge-back = Conflitto addebitato
audit-kind-settings-changed = Impostazioni della cassa modificate
audit-kind-override = Timbro dato prima del tempo
error-invalid-date = Questa non è una data: scrivila come AAAA-MM-GG, per esempio 2026-03-31.
error-invalid-birthday = Questo non è un compleanno: scrivi mese e giorno come MM-GG, per esempio 03-31, o 31.03.
error-unsubscribe-link-invalid = Questo link non è dei nostri, o ne manca una parte. Copia il link intero dall’email, o chiedici al banco.
error-invalid-link-base = Scrivi l’indirizzo delle pagine del negozio con http:// o https://, per esempio https://negozio.example:8470.
error-invalid-segment = Questo gruppo di soci non esiste: at-risk, new, regulars, birthday o panel.
error-invalid-channel = Questo canale non esiste: email o sms.
error-invalid-pages-address = Scrivi dove servire le pagine come indirizzo:porta, per esempio 0.0.0.0:8470 (tutta la rete del negozio), o lascia vuoto.
error-pages-unavailable = Le pagine non possono essere servite su { $address }: forse un altro programma lo usa già. Scegli un’altra porta.
error-invalid-mail-server = { $url } non è l’indirizzo di un server di posta: scrivi smtps://utente:password@mail.example, o smtp://…?tls=required.
error-insecure-mail-server = { $url } non è cifrato: gli indirizzi dei soci e la password passerebbero in chiaro sulla rete. Usa smtps://, o aggiungi ?tls=required.
error-invalid-sender = Scrivi l’indirizzo del mittente come Nome <indirizzo@example.com>.
error-campaign-not-found = Nessuna campagna inviata per email ha questo id.
error-pages-not-served = Le pagine del negozio non sono servite sulla sua rete: un responsabile ne indica l'indirizzo nelle impostazioni (ad esempio 0.0.0.0:8470).
error-compensation-rule-twice = Una sola regola per tipo di reclamo ({ $category }).
error-survey-link-invalid = Questo link al questionario non è di questo negozio, o è stato modificato.
error-survey-answered = Questo questionario ha già una risposta. Grazie!
error-survey-expired = Questo link al questionario è troppo vecchio.
error-not-on-panel = Questo cliente non ha accettato di dare la sua opinione.
error-survey-asked-recently = A questo cliente è stata chiesta l'opinione di recente: di nuovo dal { $date }.
error-invalid-survey-answer = Risponda { $field ->
        [nps] alla prima domanda, da 0 a 10
        [topic] con una delle scelte proposte
       *[other] indicando la soddisfazione da 1 a 5
    }.
error-invalid-survey-interval = I giorni tra due questionari di un cliente devono essere da 1 a 3650.
error-we-did-not-found = Questa voce "Ci avete detto, abbiamo fatto" non esiste.
error-mail-server-unreachable = Il server di posta { $url } non è raggiungibile: { $sent } inviate, { $waiting } in attesa. Invia il resto più tardi con: tessera campaign resume { $campaign } (nessuno riceve due volte la stessa email).
manage-tab-cards = Tessere e sincronizzazione
manage-tab-programs = Programmi
manage-tab-members = Clienti
manage-tab-reports = Rapporti
manage-tab-feedback = Opinioni
reports-title = Il programma fidelizza i clienti?
reports-from = Dal
reports-to = Al
reports-this-month = Questo mese
reports-counting = Calcolo in corso…
reports-days-in = Giorni secondo { $zone }.
reports-returning = Clienti tornati
reports-rewards = Premi consegnati
reports-new = Nuovi clienti
reports-visits-per-week = Visite per settimana
reports-visits = Visite
reports-programs = Programmi
reports-program = Programma
reports-punches = Timbri
reports-earned = Premi maturati
reports-redeemed = Premi consegnati
reports-unit-points =
    { $count ->
        [one] punto
        *[other] punti
    }
reports-unit-stamps =
    { $count ->
        [one] timbro
        *[other] timbri
    }
reports-retention = Nuovi clienti tornati
reports-retention-explained = Per i clienti iscritti ogni mese: la quota tornata in un altro giorno, entro 30, 60 e 90 giorni. Gli ultimi mesi sono ancora in corso.
reports-within-days = Entro { $days } giorni
reports-at-risk = Clienti abituali a rischio
reports-at-risk-explained =
    { $count ->
        [one] Un cliente abituale non viene da due volte il suo ritmo abituale, al { $date }.
        *[other] { $count } clienti abituali non vengono da due volte il loro ritmo abituale, al { $date }.
    }
reports-member = Cliente
reports-usual = Di solito ogni
reports-last-visit = Ultima visita
reports-away = Assente da
reports-consent = Contattabile via
reports-days =
    { $count ->
        [one] { $count } giorno
        *[other] { $count } giorni
    }
reports-consent-email = email
reports-consent-sms = SMS
reports-staff = Personale
reports-staff-member = Addetto
reports-enrolments = Iscrizioni
reports-voids = Annullamenti
reports-overrides = Eccezioni
reports-cancelled = Suoi annullati
reports-complaints-logged = Reclami registrati
reports-complaints-resolved = Reclami risolti
reports-feedback-collected = Questionari compilati
surveys-title = Che cosa dicono i clienti
surveys-nps = Net Promoter Score
surveys-answered = { $answered } risposte su { $asked } richieste
surveys-promoters = ci consiglierebbero (9–10)
surveys-passives = soddisfatti (7–8)
surveys-detractors = scontenti (0–6)
surveys-none = Ancora nessuna risposta in questo periodo.
surveys-nps-by-month = Net Promoter Score, mese per mese
surveys-topics = Che cosa conta di più per loro, e quanto ne sono soddisfatti
surveys-importance = Conta di più per
surveys-satisfaction = Soddisfazione
surveys-act-here = Da migliorare
surveys-comments = Le loro parole
we-did-title = Ci avete detto, abbiamo fatto
we-did-hint = Che cosa ha cambiato il negozio dopo le opinioni? Le tre più recenti appaiono sulla pagina del questionario.
we-did-add = Aggiungi
we-did-withdraw = Togli
we-did-none = Ancora niente di scritto.
complaints-title = Reclami
complaints-figures = Questo mese: { $logged } registrati, { $open } aperti, { $overdue } in ritardo · { $median } ore per risolvere (mediana) · alla visita successiva: { $yes } risolti, { $no } no
complaints-none-open = Nessun reclamo aperto.
complaints-owner = Responsabile: { $name }
complaints-due = entro { $date }
complaints-overdue = in ritardo dal { $date }
complaints-how = Come è stato risolto?
complaints-put-right = Risolto
manage-tab-staff = Personale
manage-tab-audit = Registro
manage-tab-backups = Backup
manage-tab-settings = Impostazioni
programs-title = Programmi fedeltà
program-new = Nuovo programma
program-edit = Modifica
program-edit-title = Modifica «{ $program }»
program-pause = Metti in pausa
program-resume = Riprendi
program-retire = Chiudi
program-retire-confirm = Chiudere «{ $program }» per sempre? Non darà più timbri; i premi già guadagnati si possono ancora riscattare.
program-kind = Tipo
program-kind-stamps = Timbri: tanti timbri per un premio
program-kind-points = Punti: in base alla spesa, premi a soglie
program-expiry = I premi scadono dopo (giorni)
program-never = Mai
program-points-per-unit = Punti per ogni unità spesa
program-tiers = Premi
program-tier-points = Punti
program-tier-add = Aggiungi un premio
program-tier-remove = Togli
program-gap = Minuti minimi tra due timbri dello stesso cliente
program-no-gap = Nessun minimo
program-starts-new = Un altro numero di timbri o un’altra scadenza crea un nuovo programma: i clienti tengono quello che hanno guadagnato su questo.
program-save = Salva
program-expiry-days = i premi scadono dopo { $days } giorni
program-gap-minutes = { $minutes } min tra due timbri
member-erased-name = Cliente cancellato
member-erased-title = Cliente { $code }: dati personali cancellati
member-erased-hint = Cancellati il { $date }. La tessera e la sua storia restano, senza nome.
consent-title = Possiamo scrivergli?
member-birthday = Compleanno (mese e giorno)
member-birthday-hint = MM-GG
consent-email = Email
consent-sms = SMS
consent-panel = Panel: a cui chiedere un parere ogni tanto
consent-yes-since = sì, dal { $date }
consent-no-since = no, dal { $date }
consent-unasked = non ancora chiesto: non si invia nulla
consent-yes = Sì
consent-no = No
member-export-data = Tutto quello che abbiamo (file)
member-erase = Cancella i dati personali
member-erase-confirm = Cancellare per sempre nome, email, telefono e consenso di { $name }? La tessera e i suoi timbri restano, senza nome.
members-files-title = File di clienti
campaign-title = Scrivi ai soci
campaign-hint = Nel file ci sono solo i soci che hanno detto sì su questo canale e vi hanno un indirizzo. Il link in fondo a ogni messaggio cancella il socio per sempre.
campaign-segment = Chi
campaign-segment-at-risk = Clienti abituali che non vengono più
campaign-segment-new = Nuovi soci (30 giorni)
campaign-segment-regulars = Clienti abituali (3 visite in 90 giorni)
campaign-segment-birthday = Compleanno questo mese
campaign-segment-panel = Il panel
campaign-channel = Come
campaign-reach = Si può scrivere a { $reachable } { $members ->
    [one] socio
   *[other] soci
} su { $members }
campaign-left-out = Esclusi: { $noConsent } senza il loro sì, { $noContact } senza indirizzo.
campaign-message = Le tue parole (così come sono, in una lingua)
campaign-with-coupon = Un buono per ciascuno
campaign-coupon-kind = Buono
campaign-coupon-free_item = Un articolo in omaggio
campaign-coupon-amount_off = Uno sconto in importo
campaign-coupon-percent_off = Uno sconto in percentuale
campaign-coupon-value = Quanti articoli, quale importo o quale percentuale
campaign-coupon-text = Cosa dice
campaign-coupon-expires = Ultimo giorno (90 giorni se vuoto)
coupon-issue-title = Dare un buono
coupon-issue-for = Per { $name } (mostrato alla prossima scansione)
coupon-issue-only-here = Solo in questo negozio
coupon-issue-format = Carta del buono
coupon-issue-format-a6 = A6 (stampante da ufficio)
coupon-issue-format-strip-58 = Carta per scontrini, 58 mm
coupon-issue-format-strip-80 = Carta per scontrini, 80 mm
coupon-issue = Dai e prepara il buono
coupon-issued = Buono { $token }… dato; è pronto da stampare.
campaign-link-base = Indirizzo delle pagine di questa cassa, per i link di cancellazione
campaign-export = Esporta per il mio programma di email
campaign-exported = { $written } { $written ->
    [one] socio scritto
   *[other] soci scritti
} in { $file }
members-export = Esporta tutti i clienti (CSV)
members-import = Importa clienti da un file CSV (Excel)
members-import-written = { $rows } righe lette ({ $encoding }): { $added } clienti aggiunti.
members-import-read = { $rows } righe lette ({ $encoding }). Niente viene salvato finché tutto il file non è corretto.
members-import-line = riga { $line }
members-import-duplicate = Riga { $line }: stesso { $field } di { $with }
members-import-allow-duplicates = Importali comunque (persone diverse)
members-import-confirm = Importa { $rows } clienti
file-open = Apri
settings-title = Impostazioni di questa cassa
settings-shop-title = Il negozio (tutte le casse della catena)
settings-shop-language = Lingua predefinita (schermate, tessere, nuovi clienti)
settings-shop-currency = Valuta (tre lettere, come EUR)
settings-shop-time-zone = Fuso orario (i rapporti contano i giorni in questo fuso)
settings-survey-interval = Giorni prima di richiedere l'opinione a un cliente (90 se vuoto)
settings-idle = Esci dopo tanti minuti senza uso (0: mai)
settings-pin-again = Richiedi il PIN del responsabile dopo (minuti)
settings-sounds = Suoni per timbri, premi e rifiuti
settings-card-layout = Di solito le tessere si stampano su
settings-printer = Stampante per le tessere
settings-printer-default = Quella predefinita del sistema ({ $name })
settings-pages = Pagine di questa cassa sulla rete del negozio (indirizzo:porta)
settings-pages-hint = I link di cancellazione nelle email del negozio arrivano qui. Vuoto: nessuna pagina. 0.0.0.0:8470 risponde a tutta la rete.
settings-save = Salva
settings-saved = Salvato.
compensation-title = Reclami: che cosa propone la cassa
compensation-hint = Per ogni tipo di reclamo, il buono che il personale può dare subito. Testo lasciato vuoto: quello della cassa.
compensation-none = Niente
compensation-value = Valore
compensation-days = Giorni
pin-again-title = PIN del responsabile
pin-again-hint = Scrivi di nuovo il tuo PIN per aprire le schermate del responsabile.
pinpad-delete = Cancella
pinpad-clear = Cancella tutto
staff-title = Personale
staff-rename = Rinomina
staff-new-pin = Nuovo PIN
staff-save = Salva
staff-unlock = Sblocca
staff-make-cashier = Rendi cassiere
staff-make-manager = Rendi responsabile
staff-deactivate = Disattiva
staff-activate = Riattiva
staff-add-title = Aggiungi un membro del personale
staff-name = Nome
staff-role = Ruolo
staff-pin = PIN (da 4 a 8 cifre)
staff-add = Aggiungi
audit-title = Registro di controllo
audit-from = Dal
audit-to = Al
audit-none = Niente nel registro di controllo per questi giorni.
audit-when = Quando
audit-what = Cosa
audit-who = Chi
audit-detail = Dettagli
backup-title = Backup
backup-hint = Ogni giorno viene fatto un backup da solo; si conservano gli ultimi sette. Fanne uno adesso prima di un grande cambiamento.
backup-now = Fai un backup ora
backup-none = Ancora nessun backup.
backup-restore = Ripristina
backup-restore-confirm = Rimettere il backup del { $when } al posto dei dati di oggi? Quello che è stato fatto da allora non comparirà più su questa cassa (i dati di oggi restano conservati a parte in un file). Tutti accedono di nuovo.

## The menu entry of the installed app (scripts/dist.sh writes it into the .desktop file).
desktop-generic-name = Tessere fedeltà
desktop-comment = Tessere a timbri, punti e premi al banco
