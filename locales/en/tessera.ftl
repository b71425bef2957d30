# Tessera — English. The reference file: every other language has exactly these ids.
# Variants go on their own indented lines after "->" (CLDR plural categories).

app-title = Tessera
loading = Loading…
cancel = Cancel
close = Close
back = Back
next = Next

## Languages (each written in its own language)

language-en = English
language-fr = Français
language-it = Italiano
language-ro = Română
language-hu = Magyar

## First run

setup-welcome = Welcome to Tessera
setup-intro = Set up your shop in three short steps, or explore with demo data first.
setup-step = Step { $step } of { $total }
setup-shop-title = Your shop
setup-shop-name = Shop name
setup-language = Language
setup-currency = Currency
setup-manager-title = The first manager
setup-manager-hint = The manager sets up programs, prints cards and reads the reports.
setup-manager-name = Your name
setup-pin = PIN (4 to 8 digits)
setup-pin-again = PIN again
setup-pin-mismatch = The two PINs are different.
setup-program-title = Your first punch card
setup-program-name = Card name
setup-program-punches = Stamps for one reward
setup-program-reward = Reward
setup-program-default-name = Coffee card
setup-program-default-reward = Free coffee
setup-finish = Open the till
setup-demo = Explore with demo data
setup-demo-hint = A café with 40 members. Manager: Alex, PIN 1234.
demo-pastry-card = Pastry card
demo-pastry-reward = Free croissant

## Sign in

signin-title = Who is at the till?
signin-pin = PIN
signin-button = Sign in
signout = Sign out

## Cashier screen

scan-prompt = Scan a card, or type a name or a code
search-placeholder = Name, phone, email or code
scan-armed = Scanner ready
member-since = Member since { $date }
card-stamps = { $punches } / { $needed }
rewards-ready =
    { $count ->
        [one] 1 reward ready
       *[other] { $count } rewards ready
    }
reward-ready-named = { $reward } ready!
no-reward = No reward yet
action-punch = Punch
action-redeem = Redeem reward
action-undo = Undo
action-new-member = New member
action-clear = Next customer
feedback-punched = Stamped { $program }: { $punches } / { $needed }
feedback-reward-earned = Card full! { $reward } ready!
feedback-redeemed = Redeemed: { $reward }
feedback-points = { $program }: +{ $points } points, { $balance } in all
punch-amount = Amount spent
action-add-points = Add points
card-points = { $points } points
points-next-reward = { $points } points more for { $reward }
reward-tier = { $reward } ({ $points } points)
reward-lapses = expires on { $date }
override-title = Stamped less than { $minutes } minutes ago
override-hint = To stamp anyway, say why. The manager sees it in the audit trail.
override-reason = Reason
override-confirm = Stamp anyway
feedback-undone = Undone: { $what }
last-action = Last: { $what } · { $time } · { $staff }
search-results =
    { $count ->
        [one] 1 member found
       *[other] { $count } members found
    }
search-none = No member found. Check the spelling, or enroll a new member.
search-ambiguous = Several members match: pick one.
confirm-repeat-punch = Stamped a moment ago. Press { key-enter } again to stamp once more.

## Keys, named as printed on the keyboards sold in each country

key-enter = Enter
key-esc = Esc
key-ctrl-z = Ctrl+Z
key-r = R
key-arrows = ↑ ↓

## What an event was, in history and undo

event-enroll = Enrolled
event-punch =
    { $count ->
        [one] 1 stamp on { $program }
       *[other] { $count } stamps on { $program }
    }
event-redeem = Reward redeemed on { $program }
event-void = Cancelled: { $reason }

## Undo

undo-title = Undo the last action?
undo-reason = Why?
undo-reason-wrong-member = Wrong member
undo-reason-scanned-twice = Scanned twice
undo-reason-wrong-card = Wrong card
undo-reason-other = Other
undo-confirm = Undo it
undo-keep = Keep it

## Enrolment

enroll-title = New member
enroll-name = Name
enroll-email = Email (optional)
enroll-phone = Phone (optional)
enroll-language = Member's language
enroll-submit = Enroll
enroll-done = Welcome, { $name }!
enroll-code = Member code
enroll-code-hint = Write this code on a card for now: printed cards come from the manager screen.
enroll-open = Go to the member

## Command line

cli-shop-ready = Shop “{ $shop }” is ready. Manager: { $manager }.
program-terms-stamps = { $needed } stamps → { $reward }
program-terms-points = { $points } points per unit spent: { $tiers }
program-status-active = active
program-status-paused = paused
program-status-retired = retired
cli-program-replaced = It replaces program { $old }, now retired: members keep what they earned on it.
cli-member-added = { $name } enrolled. Code: { $code }
cli-no-members = No member found.
cli-member-erased = Member { $code }: personal data erased.
cli-consent-yes = yes (since { $date })
cli-consent-no = no (since { $date })
cli-consent-unasked = not asked
cli-member-birthday = birthday: { $day }
cli-campaign-done = Campaign to { $segment }: { $written } of { $members } { $members ->
    [one] member
   *[other] members
} written to
cli-campaign-left-out = left out: { $no_consent } without their yes, { $no_contact } without an address
cli-campaign-file = written to { $file }
cli-campaign-sent = { $sent ->
    [one] { $sent } email sent
   *[other] { $sent } emails sent
}, { $refused } refused by the mail server
cli-serving = The shop's pages answer at { $url } (Ctrl+C stops them)
mail-subject = News from { $shop }
mail-subject-coupon = { $shop }: { $offer } for you
mail-greeting = Hello { $name },
mail-coupon = For you: { $text } ({ $offer }), good until { $date }. It is already on your loyalty card: show your card at the counter, or the voucher attached.
mail-coupon-no-expiry = For you: { $text } ({ $offer }). It is already on your loyalty card: show your card at the counter, or the voucher attached.
mail-footer = You receive this email because you agreed to hear from { $shop }. To receive no more: { $link }
mail-footer-no-link = You receive this email because you agreed to hear from { $shop }. To receive no more, tell us at the counter.
mail-voucher-file = voucher
page-unsubscribe-email = Receive no more emails from { $shop }?
page-unsubscribe-sms = Receive no more text messages from { $shop }?
page-unsubscribe-panel = Leave the panel of { $shop }? You will not be asked for your opinion any more.
page-unsubscribe-button = Yes, no more
page-unsubscribe-done = Done: { $shop } will not write to you this way any more. You can change your mind at the counter.
page-not-ready = The shop's pages are not ready. Try again in a moment.
page-survey-visits = Thank you for your { $visits ->
        [one] visit
       *[other] { $visits } visits
    } to { $shop }.
page-survey-favourite = Your card with us: { $program }.
page-survey-nps = How likely are you to recommend { $shop } to a friend?
page-survey-nps-low = Not at all likely
page-survey-nps-high = Extremely likely
page-survey-topic = What matters most to you when you come to us?
page-survey-topic-score = And how happy are you with it?
page-survey-score-low = Not happy
page-survey-score-high = Very happy
page-survey-comment = Anything you would like to tell us? (optional)
page-survey-send = Send
page-survey-done = Thank you! Your answers help { $shop } do better.
page-survey-we-did = You said, we did
topic-quality = Quality
topic-service = Friendly service
topic-speed = Not waiting
topic-price = Value for money
topic-cleanliness = Cleanliness
topic-choice = Choice
cli-import-written = { $rows } rows read ({ $encoding }): { $added } members added.
cli-import-read = { $rows } rows read ({ $encoding }): nothing written.
cli-import-problem = Line { $line }, { $field }: { $error }
cli-import-line = line { $line }
cli-import-duplicate = Line { $line }: the same { $field } as { $with }
cli-file-written = Written: { $file }
cli-shop-local-time = this computer's time zone
cli-voided = Cancelled. Reason: { $reason }
cli-doctor-ok = Everything checks out.
cli-doctor-problems = Problems found: { $count }.
cli-doctor-rebuilt = Card balances and report figures rebuilt from the ledger.
cli-doctor-progress = Checking… { $done } of { $total } checks done
cli-doctor-everything = Checked the whole store.
cli-doctor-since = Checked { $count ->
        [one] the one event
       *[other] the { $count } events
    } since the last sound check ({ $date }), and what they changed. `tessera doctor --full` checks everything.

## Manager screen

manage-open = Manager
manage-back = Back to the till
print-title = Print loyalty cards
print-layout = Paper
print-layout-cr80 = Card printer (one card per page)
print-layout-a4 = A4 sheet of 10 business cards
print-who = Cards for
print-who-all = All members
print-who-member = { $name } only
print-language = Language on the cards
print-language-member = Each member's own language
print-button = Make the PDF
print-progress = { $done } / { $total }
print-done =
    { $count ->
        [one] 1 card ready.
       *[other] { $count } cards ready.
    }
print-open = Open
print-send = Print
print-show-folder = Show in folder
print-sent = Sent to { $printer } (job { $job }).
print-default-printer = the default printer
print-test-page = Printer test page
scanner-test-title = Scanner test
scanner-test-hint = Scan any card: here you see what the scanner typed and how Tessera read it.
scanner-test-arrived = Arrived
scanner-test-keys = Keys pressed
scanner-test-readings = Read as
scanner-test-source-key-codes = from the keys pressed
scanner-test-source-as-typed = as typed
scanner-test-source-layout = as a US scanner on a { $layout } keyboard
# Keyboard layouts by name, as they read inside scanner-test-source-layout
# (in lower case where the language writes such adjectives so).
keyboard-layout-us = US
keyboard-layout-fr = French
keyboard-layout-be = Belgian
keyboard-layout-de = German
keyboard-layout-hu = Hungarian
keyboard-layout-it = Italian
keyboard-layout-ro = Romanian (standard)
scanner-test-result = Result
scanner-test-found = Card of { $name }
card-replace-title = { $name }'s card
card-replace-button = Replace a lost card
card-replace-confirm = The old card will be refused from now on. The member keeps all their stamps and rewards.
card-replace-done = New card: { $code }. Print it on the left; the old card is refused from now on.

## Printed cards

card-tagline = Show this card at the till to collect your stamps.
card-test-title = Printer check: the ruler must measure exactly 100 mm.
card-test-hint = If it does not, turn off “fit to page” in the print dialogue.
card-test-sample = Sample card
cli-card-revoked = Card { $code } cancelled.
cli-card-issued = Card for { $name }: { $code }
cli-cards-written = { $count -> 
        [one] 1 card written to { $file }
       *[other] { $count } cards written to { $file }
    }
cli-printed = Sent to { $printer } (job { $job }).
cli-printer-default = the default printer
cli-printers-none = This computer's print service knows no printer.
cli-printer-is-default = (default)

## Errors

error-shop-not-set-up = The shop is not set up yet. Run the first-run set-up.
error-shop-already-set-up = This shop is already set up.
error-empty-field = Please fill in the { $field ->
        [shop_name] shop name
        [reward] reward
        [reason] reason
       *[other] name
    }.
error-too-long = That is too long: at most { $max } characters.
error-invalid-email = This email address does not look right.
error-invalid-phone = This phone number does not look right.
error-invalid-language = This language is not available.
error-invalid-currency = A currency is a three-letter code, like EUR.
error-invalid-time-zone = This is not a time zone. Write it as the tz database does, like Europe/Paris or Europe/Bucharest.
error-invalid-period = The period starts after it ends. Choose a first day on or before the last.
error-event-time-out-of-range = This event's time is outside the years 1677 to 2262, which the ledger cannot keep. Check the clock of the till that wrote it.
error-invalid-pin = A PIN is 4 to 8 digits.
error-invalid-punches-needed = A card needs between 1 and { $max } stamps.
error-invalid-count = You can stamp between 1 and { $max } at once.
error-program-not-found = This card program does not exist.
error-invalid-number = { $field ->
        [points_per_unit] Points per unit spent must be between { $min } and { $max }.
        [tier_points] A reward costs between { $min } and { $max } points.
        [reward_days] Rewards can last between { $min } and { $max } days.
        [min_gap_minutes] The time between two stamps is between { $min } and { $max } minutes.
        [amount] Type the amount spent, like 12.50.
        [idle_sign_out_minutes] Idle sign-out is between { $min } and { $max } minutes.
        [pin_again_minutes] The PIN is asked again after { $min } to { $max } minutes.
       *[other] Type a number between { $min } and { $max }.
    }
error-invalid-tiers = A points program needs 1 to 10 rewards, each for a different number of points.
error-program-retired = This program is retired: it gives no more stamps and cannot be changed. Rewards already earned can still be redeemed.
error-punch-too-soon = This member was stamped less than { $minutes } minutes ago. To stamp anyway, say why.
error-amount-required = This program gives points for the amount spent: type the amount.
error-no-points-for-amount = This amount earns no points.
error-reward-required = Choose which reward.
error-program-inactive = This card program is paused: no stamps until a manager resumes it.
error-program-required = The shop has several cards: choose which one.
error-no-active-program = There is no active card program. A manager can add one.
error-member-not-found = This member does not exist.
error-member-erased = This member's personal data was erased.
error-csv-no-name-column = The file has no column of names: its first line must name the columns (name, email, phone…).
error-file-unreadable = { $path } cannot be read. Check the file's name and that it is there.
error-unknown-code = No member has this code. Check the card, or enroll the customer.
error-mistyped-code = This code has a typo. Check each character and try again.
error-not-a-code = This is not a member code.
error-card-replaced = This card was replaced on { $date }: ask for the new card.
error-card-revoked = This card was cancelled on { $date }. A manager can issue a new one.
error-forged-card = This card is not genuine: its code does not check out.
error-unknown-card-key = This card comes from a shop this till does not know yet. Sync the till, then scan again.
error-truncated-card = Only part of the card was read. Scan it again.
error-invalid-layout = Choose a card layout: cr80 (card printer) or a4-10 (A4 sheet of 10).
error-nothing-to-redeem = No reward to redeem yet.
error-coupon-not-card = This is a coupon, not a member's card: take it with "Use coupon".
error-not-a-coupon = This is not a coupon.
error-forged-coupon = This coupon is not genuine (altered or misread): scan it again, or refuse it.
error-unknown-coupon-key = This coupon comes from a till this one has not synced with yet: sync, then scan it again.
error-truncated-coupon = Only part of the coupon was read: scan it again.
error-coupon-used = This coupon was already used on { $date }.
error-coupon-expired = This coupon expired on { $date }.
error-coupon-withdrawn = This coupon was withdrawn on { $date }.
error-coupon-other-shop = This coupon is only good in the shop that gave it.
error-coupon-not-found = No such coupon.
error-expiry-past = A coupon's last day is today or later (before 2109).
error-coupon-charge-back = A coupon used twice has no next reward to take it from: accept the loss.
error-complaint-not-found = No such complaint.
error-complaint-compensated = This complaint already has its coupon.
error-no-compensation = The shop's rules propose no coupon for this kind of complaint.
error-complaint-resolved = This complaint is already resolved.
error-follow-up-answered = The member has already answered about this complaint.
error-event-not-found = This action was not found.
error-already-voided = This action was already undone.
error-not-voidable = Only stamps and redemptions can be undone.
error-reward-already-redeemed = The reward from these stamps was already used: undo the redemption first.
error-nothing-to-undo = Nothing to undo. Undo covers your own recent actions; a manager corrects older ones.
error-reason-required = Please give a reason.
error-staff-not-found = Nobody on the staff has this name.
error-staff-name-taken = Someone on the staff already has this name.
error-wrong-pin = Wrong name or PIN. Try again.
error-sign-in-wait = Too many wrong PINs. Try again in { $seconds } s.
error-sign-in-locked = Too many wrong PINs: this name is locked. A manager unlocks it in Manager › Staff.
error-last-manager = The shop must keep at least one active manager. Make someone else a manager first.
error-restore-in-chain = This backup is of a till of a chain: it cannot be restored yet (the hub already has what this till did since). Nothing was changed. Join the chain again as a new till instead: its data comes back by sync.
error-manager-only = Only a manager can do this.
error-pin-again = Type your PIN again to open the manager's screens.
error-database-locked = The database is busy in another program: this was NOT saved. Close the other program, then try again.
error-store-unwritable = Tessera cannot write to its database ({ $path }): this was NOT saved. Check that the disk is connected and the file is not read-only.
error-store-corrupt = The database file is damaged: nothing more can be saved. Do not delete it; call support.
error-disk-full = The disk is full: this was NOT saved. Free some space, then try again.
error-open-failed = No program could open this file: { $path }
error-printing-unavailable = This computer has no print service. Open the PDF and print it from the viewer, or install CUPS.
error-print-failed = The printer refused the job ({ $detail }). Check the printer in Settings, or open the PDF and print it from the viewer.
error-storage-error = Something went wrong: this was NOT saved. Try again; if it happens again, call support.

error-sign-in-required = Please sign in first.
error-unexpected = Something unexpected happened. Try again.

## The till, safe under pressure
menu-about = About Tessera
about-title = About Tessera
about-version = Version { $version }
about-database = Database
about-logs = Logs
about-fonts = Fonts
about-libraries = { $count } libraries
till-menu = Menu
scan-last = Last scan { $time }
scan-paused = Scanner paused: tap the screen
not-saving-title = Not saving
not-saving-file = Database file: { $path }
saving-wait = Saving… the database is busy.
redeem-confirm-title = Give { $reward } to { $name }?
redeem-confirm-hint = { key-enter }: yes, give it · { key-esc }: not now
redeem-confirm-yes = Yes, give the reward
redeem-confirm-no = Not now
undo-at = { $what } · { $time }
undo-window = Undo covers your own actions of the last { $minutes } minutes. A manager corrects older ones.
undo-other-placeholder = What happened?
enroll-duplicates-title = Already a member?
enroll-duplicates-hint = These members have the same name, email or phone number.
enroll-duplicate-open = Open this member
enroll-anyway = Someone else: enroll
enroll-submit-stamp = Enroll and stamp
db-missing-title = The shop's database is missing
db-missing-new = Start a new shop here
db-missing-hint = If the file was moved, or is on a disk that is not connected, put it back and restart Tessera.
search-pick-hint = { key-arrows }: choose · { key-enter }: open
error-database-gone = The database file was deleted or moved while Tessera was open ({ $path }). This was NOT saved, and nothing will be until the file is back: close Tessera and put the file back.
error-database-missing = The shop's database is missing: { $path }. It was used on this computer before.
error-likely-duplicate = { $name } ({ $code }) may be the same person. Check before enrolling them twice.
feedback-not-saved = This was NOT saved (see above).
error-not-a-tessera-database = This file is not a Tessera database: { $path }. Tessera did not change it. Choose the till's own database file.
error-database-too-new = This database was made by a newer version of Tessera (schema { $found }; this version knows up to { $supported }). Install the newer version; the database was not changed.
error-database-damaged = The database's structure is not the one Tessera made: nothing was changed. Keep the file and call support.
error-invalid-characters = That contains characters that cannot be printed or shown. Please type it again.
error-file-unwritable = Tessera cannot write the file { $path }. Check that the folder exists and is not read-only, then try again. The shop's database is not affected.
error-internal-error = Something unexpected happened inside Tessera: this was NOT done. Try again; if it happens again, call support (the cause is in Tessera's log).
error-invalid-arguments = This command is incomplete or not understood: { $detail }

## Sync with the chain
error-invalid-hub-url = “{ $url }” is not a hub address. It looks like https://hub.example.com (ask whoever runs your chain's hub).
error-insecure-hub-url = { $url } is not encrypted. A hub on another machine is reached over HTTPS: use an https:// address.
error-invalid-certificate = The certificate file to trust is not a PEM certificate (it begins with “-----BEGIN CERTIFICATE-----”).
error-hub-unreachable = The hub at { $url } cannot be reached. The till keeps working offline and sends everything when the line is back.
error-hub-token-refused = The hub does not accept this till's token ({ $reason }). Ask whoever runs the hub for a new one; nothing on this till is lost.
error-hub-refused = The hub refused ({ $reason }). Nothing on this till is lost; if it happens again, call support.
error-not-in-chain = This till is not part of a chain yet. Join one first (Settings › Sync, or “tessera join”).
error-already-in-chain = This till is already part of a chain. A till syncs with one hub only.
cli-join-done = This till is now till { $device } of “{ $shop }” in the chain of { $hub }.
cli-sync-done = Synced: { $sent } sent, { $received } received.
cli-sync-rejected = The hub refused { $count } of this till's entries: see “tessera sync status”. Nothing else is held up.
cli-sync-code-clashes = { $count } members from other shops have a card code a member here already has (codes made before joining). They are kept aside for a manager.
cli-sync-not-in-chain = This till is not part of a chain.
cli-sync-status = Hub { $hub } · till { $device } · waiting to send: { $events } events, { $changes } changes.
cli-sync-last = Last sync: { $at }.
cli-sync-never = Not synced yet.
cli-sync-last-error = The last attempt failed: { $code }.
cli-sync-code-clash = ⚠ Card { $code }: “{ $name }” from another shop has the same code as “{ $holder }” here. Reissue one of the two cards.
error-no-such-conflict = This redemption is not in conflict, or a manager has settled it already. Sync, then look at the conflicts again.
event-forgive = Conflict settled, loss accepted: { $reason }
event-charge-back = Conflict settled, the next reward pays for it: { $reason }
cli-conflicts-none = No conflicts.
cli-conflict = { $id }  { $member } ({ $code }) · { $program } · redeemed at { $shop } on { $at } · balance { $balance }
sync-line-online = Online
sync-line-offline = Offline
sync-line-failing = Sync refused
sync-line-not-yet = Not synced yet
sync-at = synced { $time }
sync-waiting =
    { $count ->
        [one] 1 waiting
       *[other] { $count } waiting
    }
sync-title = Sync with the chain
sync-hub = Hub
sync-device = Till number
sync-line = Line
sync-last = Last sync
sync-never = Never
sync-waiting-label = Waiting to send
sync-rejected = Refused by the hub
sync-code-clashes = Card codes shared with another shop's member
sync-now = Sync now
sync-join-title = Join a chain
sync-join-hint = Ask whoever runs your chain's hub for its address and a token for this till. The chain's programs, staff and members come to this till.
sync-join-hub = Hub address
sync-join-token = Token for this till
sync-join = Join
setup-join = Join a chain
setup-join-hint = This shop is part of a chain that has a hub.
conflicts-title = Conflicts
conflicts-none = No conflicts.
conflict-line = { $program }: one reward too many, redeemed at { $shop } at { $time }
conflict-reason = Reason
conflict-accept = Accept the loss
conflict-charge-back = Take it from the next reward
conflict-coupon = Coupon “{ $coupon }”
conflict-coupon-line = { $coupon }: used once already, used again at { $shop } at { $time }
error-hub-certificate-untrusted = The hub at { $url } shows a certificate this till does not trust. If it is your chain's own certificate, give the till its file (tessera join --trust FILE); otherwise check the address.
error-already-one-member = These two are already one member.
event-merge = Merged with a duplicate of this member
event-coupon-redeem = Coupon used

## Coupons
coupon-free-item = { $count ->
    [one] One item free
   *[other] { $count } items free
}
coupon-amount-off = { $amount } off
coupon-percent-off = { $percent } % off
coupon-until = Good until { $date }
coupon-no-expiry = No expiry
coupon-only-issuing-shop = Only in the shop that gave it
coupon-ready = Ready to use
coupon-for = For { $member }
feedback-coupon-scanned = Coupon: { $offer }. Press Enter to use it.
feedback-coupon-used = Coupon used: { $offer }
action-use-coupon = Use coupon
member-coupons = { $count ->
    [one] A coupon to use
   *[other] { $count } coupons to use
}
cli-coupon-used = Coupon used: { $offer }
voucher-fine-print = Good for one use. Coupon { $id }
slip-headline = Tell us what you think
slip-offer = Three short questions, one minute
slip-until = Open the link by { $date }
slip-fine-print = Scan the code with your phone's camera, or open { $link }
cli-voucher-written = Voucher written to { $file }
cli-slip-written = Survey slip written to { $file }

## Complaints
compensation-quality = A replacement of your choice, on us
compensation-service = A coffee on us, with our apologies
compensation-wait = 10 % off, for the wait
compensation-apology = With our apologies
cli-complaint-proposal = The shop's rule proposes a coupon: “{ $coupon }” (tessera complaint compensate ID)
cli-complaints-none = No open complaints.
cli-follow-up-none = Nothing to ask this member about.
cli-compensation-rule = { $category }: { $offer }, good for { $days } days · “{ $text }”
cli-compensation-none = { $category }: nothing proposed
cli-survey-due = This member may be asked for their opinion now.
cli-survey-not-due = Not now: this member is not on the panel, or was asked lately.
cli-survey-answered = Thank you: the answers are kept.
cli-we-did-none = Nothing written yet.
follow-up-question = Last time this member had a complaint. Was it put right?
complaint-anonymous = Anonymous
complaint-put-right = Put right, said the member
complaint-not-put-right = Not put right, said the member
complaint-resolved = Resolved
complaint-due = Open, due { $date }
complaint-category-quality = Quality
complaint-category-service = Service
complaint-category-wait = Waiting
complaint-category-price = Price or bill
complaint-category-cleanliness = Cleanliness
complaint-category-other = Other
complaint-severity-low = Minor
complaint-severity-medium = Serious
complaint-severity-high = Very serious
action-complaint = Complaint
complaint-title = A complaint
complaint-for = About { $member }
complaint-anonymous-hint = Someone who is not a member (no one is named)
complaint-category = What about?
complaint-severity = How serious?
complaint-note = What happened, in a few words
complaint-log = Log it
complaint-logged = Logged: you own it until it is put right, by { $due }.
complaint-proposal = The shop offers: { $coupon }
complaint-give = Give the coupon
complaint-not-now = Not now
feedback-coupon-given = Coupon given: { $offer }
follow-up-yes = Yes, put right
follow-up-no = No
feedback-follow-up-thanks = Thank you: the answer is kept.
survey-offer = On the panel: ask for their opinion?
survey-offer-hint = Three short questions, on the customer's screen or on a slip for their phone.
survey-ask = Ask
feedback-survey-on-screen = The survey is on the customer's screen.
survey-slip = Print a slip
action-survey-slip = Survey slip
feedback-slip-printed = The survey slip is printing: hand it over with the receipt.
error-no-follow-up = Nothing to ask this member about at this visit.
cli-report-complaints = Complaints { $from } – { $to }: { $logged } logged, { $resolved } resolved, { $open } open ({ $overdue } overdue)
cli-report-complaints-hours = Hours to put right: median { $median }, longest { $max } · asked at the next visit: { $yes } put right, { $no } not
cli-report-surveys = Surveys { $from } – { $to }: { $asked } asked, { $answered } answered · NPS { $nps }
cli-report-surveys-topic = { $topic }: matters most to { $share } %, satisfaction { $satisfaction } / 5
cli-report-surveys-topic-act = { $topic }: matters most to { $share } %, satisfaction { $satisfaction } / 5 ← act here

member-new-here = New to this shop
member-new-here-hint = A card of the chain: stamps are kept, the member's details arrive with the next sync.
merge-title = Same person enrolled twice?
merge-hint = Type or scan the other card: its stamps join { $name }'s card, and both cards keep working.
merge-other = The other card
merge-button = Merge into { $name }
merge-done = Merged: both cards now lead to { $name }.

## Staff and the audit trail
staff-role-manager = manager
staff-role-cashier = cashier
staff-inactive = deactivated
staff-locked = locked out
cli-staff-saved = Saved.
cli-audit-none = Nothing in the audit trail for these dates.
cli-report-summary-title = Summary from { $from } to { $to } (days in { $zone })
cli-report-returning = Members who came back: { $count }
cli-report-rewards-given = Rewards given: { $count }
cli-report-new-members = New members: { $count }
cli-report-visits-per-week = Visits per week:
cli-report-program = { $program } ({ $kind }): { $punches } punched, { $earned } rewards earned, { $redeemed } redeemed
cli-report-retention-title = New members who came back, by month of enrolment, from { $from } to { $to } (days in { $zone }); … = still counting
cli-report-cohort = { $month }: { $count } new · within 30 days { $d30 } · 60 days { $d60 } · 90 days { $d90 }
cli-report-at-risk-title = Regulars away for twice their usual interval on { $date } ({ $zone }): { $count }
cli-report-at-risk-member = { $code }  { $name }: { $visits } visits, usually every { $usual } days, last on { $last } ({ $away } days ago)
cli-report-staff-title = Staff from { $from } to { $to } (days in { $zone })
cli-report-staff-member = { $name }: { $enrolments } enrolments, { $punches } punches, { $redemptions } rewards, { $voids } voids, { $overrides } overrides, { $cancelled } of theirs cancelled, { $complaints_logged } complaints logged, { $complaints_resolved } put right, { $feedback } surveys answered
cli-dev-seeded = Generated { $members } members and { $events } events.
cli-dev-storm-written = Written: { $kind } { $event }
cli-dev-seed-progress = { $done } / { $members } members, { $events } events…
cli-about-version = Tessera { $version }
cli-about-database = Database: { $path }
cli-about-logs = Logs: { $path }
cli-about-licences = Built with { $libraries } libraries and the DejaVu fonts; their licences: tessera about --licences
cli-backup-taken = Backup written: { $path } ({ $size } KB).
cli-restored = Restored from { $path }.
cli-restore-kept = The database it replaced is kept at { $path }.
audit-kind-pin-failed = Wrong PIN
audit-kind-sign-in-locked = Locked out after wrong PINs
audit-kind-staff-unlocked = Unlocked
audit-kind-staff-added = Staff added
audit-kind-staff-renamed = Staff renamed
audit-kind-staff-role-changed = Role changed
audit-kind-pin-set = PIN set
audit-kind-staff-deactivated = Staff deactivated
audit-kind-staff-reactivated = Staff reactivated
audit-kind-program-changed = Program changed
audit-kind-backup-taken = Backup taken
audit-kind-restored = Backup restored
audit-kind-members-exported = Members exported
audit-kind-members-imported = Members imported
audit-kind-member-erased = Member's data erased
audit-kind-member-data-exported = Member's data exported
audit-kind-campaign-run = Campaign sent to members
audit-kind-void = Cancelled
audit-kind-forgive = Conflict accepted
audit-kind-charge-back = Conflict charged back
audit-kind-settings-changed = Till settings changed
audit-kind-override = Stamped sooner than allowed
error-invalid-date = This is not a date: write it as YYYY-MM-DD, for example 2026-03-31.
error-invalid-birthday = This is not a birthday: write the month and day as MM-DD, for example 03-31, or 31.03.
error-unsubscribe-link-invalid = This link is not one of ours, or part of it is missing. Copy the whole link from the email, or ask us at the counter.
error-invalid-link-base = Write the address of the shop's pages with http:// or https://, for example https://shop.example:8470.
error-invalid-segment = No such group of members: at-risk, new, regulars, birthday or panel.
error-invalid-channel = No such channel: email or sms.
error-invalid-pages-address = Write where to serve the pages as address:port, for example 0.0.0.0:8470 (the whole shop's network), or leave it empty.
error-pages-unavailable = The pages cannot be served on { $address }: another program may already use it. Pick another port.
error-invalid-mail-server = { $url } is not a mail server address: write smtps://user:password@mail.example, or smtp://…?tls=required.
error-insecure-mail-server = { $url } is not encrypted: the members' addresses and the password would cross the network in clear. Use smtps://, or add ?tls=required.
error-invalid-sender = Write the address the emails come from as Name <address@example.com>.
error-campaign-not-found = No campaign sent by email has this id.
error-pages-not-served = The shop's pages are not served on its network: a manager sets their address in Settings (like 0.0.0.0:8470).
error-compensation-rule-twice = Only one rule per kind of complaint ({ $category }).
error-survey-link-invalid = This survey link is not one of this shop's, or it was changed.
error-survey-answered = This survey was answered already. Thank you!
error-survey-expired = This survey link is too old to answer.
error-not-on-panel = This member has not agreed to be asked for their opinion.
error-survey-asked-recently = This member was asked for their opinion lately: again from { $date }.
error-invalid-survey-answer = Please answer { $field ->
        [nps] the first question, from 0 to 10
        [topic] with one of the choices
       *[other] how happy you are with one of the choices, from 1 to 5
    }.
error-invalid-survey-interval = The days between two surveys of a member must be from 1 to 3650.
error-we-did-not-found = There is no such "you said, we did" entry.
error-mail-server-unreachable = The mail server { $url } cannot be reached: { $sent } sent, { $waiting } waiting. Send the rest later with: tessera campaign resume { $campaign } (nobody gets the same email twice).
manage-tab-cards = Cards and sync
manage-tab-programs = Programs
manage-tab-members = Members
manage-tab-reports = Reports
manage-tab-feedback = Feedback
reports-title = Does the scheme keep customers?
reports-from = From
reports-to = To
reports-this-month = This month
reports-counting = Counting…
reports-days-in = Days as in { $zone }.
reports-returning = Members who came back
reports-rewards = Rewards given
reports-new = New members
reports-visits-per-week = Visits per week
reports-visits = Visits
reports-programs = Programs
reports-program = Program
reports-punches = Punches
reports-earned = Rewards earned
reports-redeemed = Rewards given
reports-unit-points =
    { $count ->
        [one] point
        *[other] points
    }
reports-unit-stamps =
    { $count ->
        [one] stamp
        *[other] stamps
    }
reports-retention = New members who came back
reports-retention-explained = For the members who joined each month: the share who came back on a later day, within 30, 60 and 90 days. The last months are still counting.
reports-within-days = Within { $days } days
reports-at-risk = Regulars at risk
reports-at-risk-explained =
    { $count ->
        [one] One regular has not come for twice their usual interval, as of { $date }.
        *[other] { $count } regulars have not come for twice their usual interval, as of { $date }.
    }
reports-member = Member
reports-usual = Usually every
reports-last-visit = Last visit
reports-away = Away for
reports-consent = May be contacted by
reports-days =
    { $count ->
        [one] { $count } day
        *[other] { $count } days
    }
reports-consent-email = email
reports-consent-sms = SMS
reports-staff = Staff
reports-staff-member = Staff member
reports-enrolments = Enrolments
reports-voids = Voids
reports-overrides = Overrides
reports-cancelled = Of theirs cancelled
reports-complaints-logged = Complaints logged
reports-complaints-resolved = Complaints put right
reports-feedback-collected = Surveys answered
surveys-title = What members say
surveys-nps = Net Promoter Score
surveys-answered = { $answered } answered of { $asked } asked
surveys-promoters = would recommend us (9–10)
surveys-passives = satisfied (7–8)
surveys-detractors = unhappy (0–6)
surveys-none = No answers in this period yet.
surveys-nps-by-month = Net Promoter Score, month by month
surveys-topics = What matters most to them, and how happy they are with it
surveys-importance = Matters most to
surveys-satisfaction = Satisfaction
surveys-act-here = Act here
surveys-comments = Their words
we-did-title = You said, we did
we-did-hint = What did the shop change after feedback? The newest three show on the survey page.
we-did-add = Add
we-did-withdraw = Take off
we-did-none = Nothing written yet.
complaints-title = Complaints
complaints-figures = This month: { $logged } logged, { $open } open, { $overdue } overdue · { $median } hours to put right (median) · asked at the next visit: { $yes } put right, { $no } not
complaints-none-open = No complaint open.
complaints-owner = Owner: { $name }
complaints-due = due { $date }
complaints-overdue = overdue since { $date }
complaints-how = How was it put right?
complaints-put-right = Put right
manage-tab-staff = Staff
manage-tab-audit = Audit
manage-tab-backups = Backups
manage-tab-settings = Settings
programs-title = Loyalty programs
program-new = New program
program-edit = Change
program-edit-title = Change “{ $program }”
program-pause = Pause
program-resume = Resume
program-retire = Retire
program-retire-confirm = Retire “{ $program }” for good? It gives no more stamps; rewards already earned can still be redeemed.
program-kind = Kind
program-kind-stamps = Stamps: so many stamps for a reward
program-kind-points = Points: for what is spent, rewards at thresholds
program-expiry = Rewards expire after (days)
program-never = Never
program-points-per-unit = Points for each unit spent
program-tiers = Rewards
program-tier-points = Points
program-tier-add = Add a reward
program-tier-remove = Remove
program-gap = Minimum minutes between two stamps of one member
program-no-gap = No minimum
program-starts-new = A new number of stamps or a new expiry starts a new program: members keep what they earned on this one.
program-save = Save
program-expiry-days = rewards expire after { $days } days
program-gap-minutes = { $minutes } min between stamps
member-erased-name = Erased member
member-erased-title = Member { $code }: personal data erased
member-erased-hint = Erased on { $date }. The card and its history stay, with no name.
consent-title = May we write to them?
member-birthday = Birthday (month and day)
member-birthday-hint = MM-DD
consent-email = Email
consent-sms = Text messages
consent-panel = Panel: asked for their opinion now and then
consent-yes-since = yes, since { $date }
consent-no-since = no, since { $date }
consent-unasked = not asked yet: nothing is sent
consent-yes = Yes
consent-no = No
member-export-data = Everything we hold (file)
member-erase = Erase personal data
member-erase-confirm = Erase { $name }'s name, email, phone and consent for good? The card and its stamps stay, with no name.
members-files-title = Files of members
campaign-title = Write to members
campaign-hint = Only members who said yes on the channel, and have an address on it, are in the file. Each link at the foot of a message takes its member off for good.
campaign-segment = Who
campaign-segment-at-risk = Regulars who stopped coming
campaign-segment-new = New members (30 days)
campaign-segment-regulars = Regulars (3 visits in 90 days)
campaign-segment-birthday = Birthday this month
campaign-segment-panel = The panel
campaign-channel = How
campaign-reach = { $reachable } of { $members } { $members ->
    [one] member
   *[other] members
} can be written to
campaign-left-out = Left out: { $noConsent } without their yes, { $noContact } without an address.
campaign-message = Your words (as written, in one language)
campaign-with-coupon = A coupon for each
campaign-coupon-kind = Coupon
campaign-coupon-free_item = A free item
campaign-coupon-amount_off = An amount off
campaign-coupon-percent_off = A percentage off
campaign-coupon-value = How many, how much or what percentage
campaign-coupon-text = What it says
campaign-coupon-expires = Last day (90 days if left empty)
coupon-issue-title = Give a coupon
coupon-issue-for = For { $name } (shown at their next scan)
coupon-issue-only-here = Only in this shop
coupon-issue-format = Voucher paper
coupon-issue-format-a6 = A6 (office printer)
coupon-issue-format-strip-58 = Receipt paper, 58 mm
coupon-issue-format-strip-80 = Receipt paper, 80 mm
coupon-issue = Give and make the voucher
coupon-issued = Coupon { $token }… given; its voucher is ready.
campaign-link-base = Address of this till's pages, for the unsubscribe links
campaign-export = Export for my mail tool
campaign-exported = { $written } { $written ->
    [one] member
   *[other] members
} written to { $file }
members-export = Export all members (CSV)
members-import = Import members from a CSV file (Excel)
members-import-written = { $rows } rows read ({ $encoding }): { $added } members added.
members-import-read = { $rows } rows read ({ $encoding }). Nothing is written until the whole file is right.
members-import-line = line { $line }
members-import-duplicate = Line { $line }: the same { $field } as { $with }
members-import-allow-duplicates = Import them anyway (different people)
members-import-confirm = Import { $rows } members
file-open = Open
settings-title = This till's settings
settings-shop-title = The shop (every till of the chain)
settings-shop-language = Default language (screens, cards, new members)
settings-shop-currency = Currency (three letters, like EUR)
settings-shop-time-zone = Time zone (reports count days in it)
settings-survey-interval = Days before a member is asked for their opinion again (90 if empty)
settings-idle = Sign out after this many minutes without use (0: never)
settings-pin-again = Ask a manager's PIN again after (minutes)
settings-sounds = Sounds for stamps, rewards and refusals
settings-card-layout = Cards are usually printed on
settings-printer = Printer for cards
settings-printer-default = The system's default ({ $name })
settings-pages = This till's pages on the shop's network (address:port)
settings-pages-hint = The unsubscribe links in the shop's emails land here. Empty: no pages. 0.0.0.0:8470 answers the whole network.
settings-save = Save
settings-saved = Saved.
compensation-title = Complaints: what the till proposes
compensation-hint = For each kind of complaint, the coupon the staff member may give on the spot. Words left empty: the till's own.
compensation-none = Nothing
compensation-value = Value
compensation-days = Days
pin-again-title = Manager's PIN
pin-again-hint = Type your PIN again to open the manager's screens.
pinpad-delete = Delete
pinpad-clear = Clear
staff-title = Staff
staff-rename = Rename
staff-new-pin = New PIN
staff-save = Save
staff-unlock = Unlock
staff-make-cashier = Make cashier
staff-make-manager = Make manager
staff-deactivate = Deactivate
staff-activate = Reactivate
staff-add-title = Add a staff member
staff-name = Name
staff-role = Role
staff-pin = PIN (4 to 8 digits)
staff-add = Add
audit-title = Audit trail
audit-from = From
audit-to = To
audit-none = Nothing in the audit trail for these days.
audit-when = When
audit-what = What
audit-who = Who
audit-detail = Details
backup-title = Backups
backup-hint = A backup is taken by itself every day; the last seven are kept. Take one now before a big change.
backup-now = Back up now
backup-none = No backup yet.
backup-restore = Restore
backup-restore-confirm = Put the backup of { $when } in place of today's data? What was done since then will no longer show on this till (today's data is kept aside in a file). Everyone signs in again.

## The menu entry of the installed app (scripts/dist.sh writes it into the .desktop file).
desktop-generic-name = Loyalty cards
desktop-comment = Punch cards, points and rewards at the shop counter
