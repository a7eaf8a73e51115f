//! The device lock screen (`#/lock`, in the worker module), in one of three states:
//!
//! - **no PIN yet**: the worker chooses one; every record on the device is then sealed
//!   under a fresh data key (`store::vault::first_lock`);
//! - **locked**: the PIN unlocks, with growing waits after wrong ones; a forgotten PIN
//!   can only wipe the device;
//! - **unlocked**: lock now, the minutes before the tablet locks itself, a new PIN.
//!
//! The worker chooses a PIN (6 to 12 digits) or a passphrase (`vault::passphrase`); the
//! lock records which, and every screen that asks for it shows the numeric keypad or the
//! full keyboard accordingly. The key-encryption key comes from `kek` (Argon2id; PBKDF2 for
//! an earlier version's lock, which is rewrapped under Argon2id once it opens: `try_secret`),
//! the data key never leaves memory (`vault::holder`).

use super::browser;
use super::kek;
use crate::handover::pin::check_new;
use crate::i18n::handover::HoMsg;
use crate::i18n::lock::LockMsg;
use crate::i18n::Lang;
use crate::route::Route;
use crate::store::local::LocalStore;
use crate::store::vault::{self as v, Sealer, Status, FORGOT_KEY, LOCK_RETURN_KEY};
use crate::store::{HandoverStore, KvStore};
use crate::vault::holder;
use crate::vault::lock::Secret;
use crate::vault::passphrase;
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;
use zeroize::Zeroizing;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    NoPin,
    Locked,
    Open,
}

fn mode_of(kv: &LocalStore) -> Mode {
    match v::status(kv) {
        Ok(Status::NoPin) => Mode::NoPin,
        _ => match Sealer::of(kv) {
            Sealer::Open(_) => Mode::Open,
            _ => Mode::Locked,
        },
    }
}

/// Back to the screen the lock came up over (this tab's), or the list.
fn go_back() {
    let to = LocalStore::session()
        .and_then(|s| {
            let to = s.get(LOCK_RETURN_KEY).ok().flatten();
            let _ = s.remove(LOCK_RETURN_KEY);
            to
        })
        .map(|h| Route::parse(&h))
        .filter(|r| *r != Route::Lock)
        .unwrap_or(Route::List);
    browser::set_hash(&to.to_hash());
}

/// What the locked device asks for: a passphrase if either lock a PIN change left wants
/// one (a text box takes digits too), else a PIN.
pub(super) fn asks(kv: &LocalStore) -> Secret {
    match v::status(kv) {
        Ok(Status::Locked(recipes)) if recipes.iter().any(|r| r.secret == Secret::Passphrase) => {
            Secret::Passphrase
        }
        _ => Secret::Pin,
    }
}

/// What typing the secret on a locked device came to.
pub(super) enum Tried {
    /// The data key. `rewrap_failed`: the lock was of an earlier kind and could not be
    /// replaced by a stronger one (storage full); said, and tried again next time.
    Right {
        key: crate::vault::Key,
        rewrap_failed: bool,
    },
    /// Counted towards the wait.
    Wrong,
}

/// Why a typed secret was not tried at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refused {
    Ho(HoMsg),
    Lock(LockMsg),
}

impl Refused {
    pub(super) fn text(self, lang: Lang) -> &'static str {
        match self {
            Refused::Ho(m) => m.get(lang),
            Refused::Lock(m) => m.get(lang),
        }
    }
}

/// "Not right", for the kind of secret the device asks for.
pub(super) fn wrong(kind: Secret, lang: Lang) -> &'static str {
    match kind {
        Secret::Pin => HoMsg::WrongPin.get(lang),
        Secret::Passphrase => LockMsg::WrongPhrase.get(lang),
    }
}

/// Said when `typed` cannot be the kind of secret `kind` is (not counted as a wrong try:
/// it cannot be right, and the kind is on the screen for anyone to see).
pub(super) fn not_that_kind(kind: Secret) -> Refused {
    Refused::Lock(match kind {
        Secret::Pin => LockMsg::PinExpected,
        Secret::Passphrase => LockMsg::PhraseExpected,
    })
}

/// Checks `typed` (a PIN or a passphrase) against the store, counting a wrong one towards
/// the wait, the same for both. Right, and the lock was derived in an earlier, weaker way
/// (PBKDF2): with `rewrap`, it is replaced by the same data key wrapped under Argon2id
/// from what was just typed (`store::vault::rewrap`, one write).
pub(super) async fn try_secret(
    kv: &LocalStore,
    typed: &str,
    rewrap: bool,
) -> Result<Tried, Refused> {
    let Ok(Status::Locked(recipes)) = v::status(kv) else {
        return Err(Refused::Ho(HoMsg::PinDamaged));
    };
    if !recipes.iter().any(|r| r.secret.fits(typed)) {
        return Err(not_that_kind(recipes[0].secret));
    }
    // One key per recipe, in the store's order; each wiped once the store has tried them.
    let mut keks = Zeroizing::new(Vec::with_capacity(recipes.len()));
    for recipe in &recipes {
        let kek = kek::derive(recipe, typed)
            .await
            .ok_or(Refused::Ho(HoMsg::NoCrypto))?;
        keks.push(*kek);
    }
    let store = HandoverStore::new(kv.clone());
    match v::unlock(kv, &keks) {
        Ok(Some(key)) => {
            let _ = store.set_backoff(&Default::default());
            let rewrap_failed = match v::outdated(kv, &key) {
                Ok(Some(secret)) if rewrap => stronger(kv, &key, secret, typed).await.is_err(),
                _ => false,
            };
            v::seal_older_records(kv, &key);
            Ok(Tried::Right { key, rewrap_failed })
        }
        Ok(None) => {
            let b = store.backoff().failed(browser::now_ms());
            let _ = store.set_backoff(&b);
            Ok(Tried::Wrong)
        }
        Err(_) => Err(Refused::Ho(HoMsg::PinDamaged)),
    }
}

/// The stored lock replaced by `key` wrapped under the current derivation of `typed`.
async fn stronger(
    kv: &LocalStore,
    key: &crate::vault::Key,
    secret: Secret,
    typed: &str,
) -> Result<(), ()> {
    let (recipe, kek) = kek::fresh(secret, typed).await.ok_or(())?;
    // One write: a browser killed before it reaches the disk leaves the old lock, which
    // opens the same key (tests/e2e/kdf.test.mjs kills it there).
    v::rewrap(kv, key, &kek, recipe).map_err(|_| ())
}

/// Checks a new secret of `kind` and its confirmation; the problem in words.
fn check_secret(kind: Secret, typed: &str, again: &str, lang: Lang) -> Result<(), &'static str> {
    match kind {
        Secret::Pin => check_new(typed, again).map_err(|p| p.text(lang)),
        Secret::Passphrase => passphrase::check_new(typed, again).map_err(|p| p.text(lang)),
    }
}

/// A text that says "PIN" or "passphrase" as the kind of secret `of` changes.
#[derive(Clone, Copy)]
struct ByKind {
    of: RwSignal<Secret>,
    pin: &'static str,
    phrase: &'static str,
}

impl ByKind {
    fn get(self) -> &'static str {
        match self.of.get() {
            Secret::Pin => self.pin,
            Secret::Passphrase => self.phrase,
        }
    }
}

#[component]
pub fn DeviceLock(lang: Lang, kv: LocalStore) -> impl IntoView {
    let t = move |m: LockMsg| m.get(lang);
    let h = move |m: HoMsg| m.get(lang);
    let mode = RwSignal::new(mode_of(&kv));
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let current = RwSignal::new(String::new());
    let minutes = RwSignal::new(v::idle_minutes(&kv));
    // The kind of the secret being chosen (first use, a change), and of the one asked for.
    let kind = RwSignal::new(Secret::Pin);
    let asked = RwSignal::new(asks(&kv));
    let note = RwSignal::new(None::<String>);
    // Unlocked, but the stronger lock could not be written: said, then the worker goes on.
    let go_on = RwSignal::new(false);
    // The first PIN did not fit: the export (to make room) opens without one.
    let full = RwSignal::new(false);
    let done = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    // The wait left after wrong PINs, said in words, or `None` to go ahead.
    let waiting = {
        let kv = kv.clone();
        move || {
            let wait = HandoverStore::new(kv.clone())
                .backoff()
                .wait(browser::now_ms());
            (wait > 0.0).then(|| format!("{} {}", h(HoMsg::Wait), (wait / 1000.0).ceil()))
        }
    };

    let setup = {
        let kv = kv.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let (p, a) = (pin.get_untracked(), again.get_untracked());
            let chosen = kind.get_untracked();
            if let Err(problem) = check_secret(chosen, &p, &a, lang) {
                return note.set(Some(problem.to_owned()));
            }
            busy.set(true);
            note.set(Some(h(HoMsg::Working).to_owned()));
            let kv = kv.clone();
            spawn_local(async move {
                let Some((recipe, kek)) = kek::fresh(chosen, &p).await else {
                    busy.set(false);
                    return note.set(Some(h(HoMsg::NoCrypto).to_owned()));
                };
                let _ = v::set_idle_minutes(&kv, minutes.get_untracked());
                match v::first_lock(&kv, &kek, recipe) {
                    Ok(key) => {
                        holder::hold(&key);
                        // The new lock on disk before the worker goes on: a browser killed
                        // now must not come back without it (`super::journal`).
                        super::journal::when_flushed(None, go_back);
                    }
                    Err(e) => {
                        busy.set(false);
                        let is_full = e == crate::store::StoreError::QuotaExceeded;
                        if is_full {
                            if let Some(s) = LocalStore::session() {
                                let _ = s.set(FORGOT_KEY, "1");
                            }
                        }
                        full.set(is_full);
                        note.set(Some(
                            if is_full {
                                t(LockMsg::Full)
                            } else {
                                h(HoMsg::NotSaved)
                            }
                            .to_owned(),
                        ));
                    }
                }
            });
        }
    };

    let unlock = {
        let kv = kv.clone();
        let waiting = waiting.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            if let Some(w) = waiting() {
                return note.set(Some(w));
            }
            busy.set(true);
            note.set(Some(h(HoMsg::Working).to_owned()));
            let typed = pin.get_untracked();
            let (kv, waiting) = (kv.clone(), waiting.clone());
            spawn_local(async move {
                let result = try_secret(&kv, &typed, true).await;
                busy.set(false);
                pin.set(String::new());
                match result {
                    Ok(Tried::Right { key, rewrap_failed }) => {
                        holder::hold(&key);
                        if rewrap_failed {
                            note.set(Some(t(LockMsg::RewrapFailed).to_owned()));
                            go_on.set(true);
                        } else {
                            go_back();
                        }
                    }
                    Ok(Tried::Wrong) => {
                        let wrong = wrong(asked.get_untracked(), lang);
                        note.set(Some(match waiting() {
                            Some(w) => format!("{wrong} {w}"),
                            None => wrong.to_owned(),
                        }))
                    }
                    Err(m) => note.set(Some(m.text(lang).to_owned())),
                }
            });
        }
    };

    let change = {
        let kv = kv.clone();
        let waiting = waiting.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let (old, p, a) = (
                current.get_untracked(),
                pin.get_untracked(),
                again.get_untracked(),
            );
            let chosen = kind.get_untracked();
            if let Err(problem) = check_secret(chosen, &p, &a, lang) {
                return note.set(Some(problem.to_owned()));
            }
            if let Some(w) = waiting() {
                return note.set(Some(w));
            }
            busy.set(true);
            done.set(None);
            note.set(Some(h(HoMsg::Working).to_owned()));
            let kv = kv.clone();
            let was = asks(&kv);
            spawn_local(async move {
                // The old lock is replaced by the new one: no stronger copy of it first.
                let checked = try_secret(&kv, &old, false).await;
                let fresh = match checked {
                    Ok(Tried::Right { .. }) => kek::fresh(chosen, &p).await,
                    _ => None,
                };
                busy.set(false);
                current.set(String::new());
                let result = match (checked, fresh) {
                    (Ok(Tried::Right { key: old, .. }), Some((recipe, kek))) => {
                        v::change_pin(&kv, &old, &kek, recipe)
                            .map_err(|_| Refused::Ho(HoMsg::NotSaved))
                    }
                    (Ok(Tried::Right { .. }), None) => Err(Refused::Ho(HoMsg::NoCrypto)),
                    (Ok(Tried::Wrong), _) => Err(match was {
                        Secret::Pin => Refused::Ho(HoMsg::WrongPin),
                        Secret::Passphrase => Refused::Lock(LockMsg::WrongPhrase),
                    }),
                    (Err(m), _) => Err(m),
                };
                match result {
                    Ok(key) => {
                        holder::hold(&key);
                        pin.set(String::new());
                        again.set(String::new());
                        note.set(None);
                        asked.set(chosen);
                        super::journal::when_flushed(None, move || {
                            done.set(Some(t(LockMsg::Changed)))
                        });
                    }
                    Err(m) => note.set(Some(m.text(lang).to_owned())),
                }
            });
        }
    };

    // Two taps, each after its warning: the first asks, the second wipes.
    let wipe_asked = RwSignal::new(false);
    let wipe = {
        let kv = kv.clone();
        move |_| {
            if !wipe_asked.get_untracked() {
                return wipe_asked.set(true);
            }
            let _ = v::wipe(&kv);
            if let Some(s) = LocalStore::session() {
                let _ = s.remove(FORGOT_KEY);
            }
            wipe_asked.set(false);
            note.set(None);
            kind.set(Secret::Pin);
            mode.set(Mode::NoPin);
        }
    };
    let save_minutes = {
        let kv = kv.clone();
        move |ev: leptos::ev::Event| {
            if let Ok(m) = event_target_value(&ev).parse::<u32>() {
                minutes.set(m);
                if mode.get_untracked() == Mode::Open {
                    let _ = v::set_idle_minutes(&kv, m);
                }
            }
        }
    };
    // As the lock button does: the page reloads, keeping nothing of any resident.
    let lock_now = move |_| {
        holder::forget();
        super::journal::when_flushed(Some(1000), browser::reload);
    };

    request_animation_frame(|| {
        browser::focus_by_id("lock-title");
    });
    // A PIN gets the numeric keypad, a passphrase the full keyboard (no capitals added by
    // it); `data-kind` says which. One box for every secret field (a single set of
    // reactive closures: each kind of closure costs the module its own code).
    let pin_box = move |id: &'static str, label: ByKind, value: RwSignal<String>| {
        view! {
            <label for=id>{move || label.get()}</label>
            <input id=id data-testid=id type="password" autocomplete="off" autocapitalize="off"
                spellcheck="false"
                inputmode=move || match label.of.get() { Secret::Pin => "numeric", Secret::Passphrase => "text" }
                data-kind=move || match label.of.get() { Secret::Pin => "pin", Secret::Passphrase => "phrase" }
                prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    // PIN or passphrase, for the secret being chosen.
    let kind_choice = move || {
        let option = move |id: &'static str, this: Secret, label: LockMsg| {
            view! {
                <label class="option">
                    <input type="radio" name="lock-kind" data-testid=id
                        prop:checked=move || kind.get() == this
                        on:change=move |_| {
                            kind.set(this);
                            note.set(None);
                        } />
                    {t(label)}
                </label>
            }
        };
        view! {
            <fieldset class="secret-kind">
                <legend>{t(LockMsg::KindLegend)}</legend>
                {option("lock-kind-pin", Secret::Pin, LockMsg::KindPin)}
                {option("lock-kind-phrase", Secret::Passphrase, LockMsg::KindPhrase)}
            </fieldset>
        }
    };
    let by_kind = move |of: RwSignal<Secret>, pin: &'static str, phrase: &'static str| ByKind {
        of,
        pin,
        phrase,
    };
    let new_label = by_kind(kind, h(HoMsg::NewPin), t(LockMsg::NewPhrase));
    let again_label = by_kind(kind, h(HoMsg::PinAgain), t(LockMsg::PhraseAgain));
    let new_help = by_kind(kind, h(HoMsg::NewPinHelp), t(LockMsg::NewPhraseHelp));
    let asked_label = by_kind(asked, h(HoMsg::WorkerPin), t(LockMsg::EnterPhrase));
    let current_label = by_kind(asked, h(HoMsg::CurrentPin), t(LockMsg::CurrentPhrase));
    let minutes_box = move || {
        view! {
            <label for="lock-minutes">{t(LockMsg::IdleMinutes)}</label>
            <input id="lock-minutes" data-testid="lock-minutes" type="number" min="1"
                max=v::MAX_IDLE_MINUTES.to_string() prop:value=move || minutes.get().to_string()
                on:change=save_minutes.clone() />
        }
    };
    let note_view = move || {
        note.get()
            .map(|text| view! { <p class="banner error" role="alert" data-testid="lock-note">{text}</p> })
    };

    // What the durable journal could not do at this start (src/ui/journal.rs): changes a
    // killed browser lost that did not fit back, or no journal at all on this browser.
    // Said here, on the screen every start opens with.
    let unrestored = super::journal::unrestored();
    let no_journal = super::journal::durability() == super::journal::Durability::Unavailable;
    view! {
        <p class="banner error" role="alert" data-testid="journal-unrestored" hidden=unrestored == 0>
            {t(LockMsg::Unrestored)}
        </p>
        <p class="banner warn" data-testid="journal-missing" hidden=!no_journal>{t(LockMsg::JournalMissing)}</p>
        <section class="device-lock" data-testid="device-lock" data-mode=move || match mode.get() {
            Mode::NoPin => "setup",
            Mode::Locked => "locked",
            Mode::Open => "open",
        }>
            {move || match mode.get() {
                Mode::NoPin => view! {
                    <h1 id="lock-title" tabindex="-1">{t(LockMsg::SetupTitle)}</h1>
                    <p>{t(LockMsg::SetupHelp)}</p>
                    <form on:submit=setup.clone()>
                        {kind_choice()}
                        {pin_box("lock-new-pin", new_label, pin)}
                        <p class="hint">{move || new_help.get()}</p>
                        {pin_box("lock-pin-again", again_label, again)}
                        {minutes_box()}
                        <button class="primary" type="submit" data-testid="lock-setup" disabled=move || busy.get()>
                            {t(LockMsg::Start)}
                        </button>
                        {note_view}
                        <p hidden=move || !full.get()>
                            <a class="button" href="#/export" data-testid="lock-make-room">{t(LockMsg::ExportToMakeRoom)}</a>
                        </p>
                    </form>
                    // A new tablet: everything back from the old one's backup, with its PIN.
                    <super::backup::Restore lang=lang kv=kv.clone() fresh=true done=Callback::new(|_| go_back()) />
                }.into_any(),
                Mode::Locked => view! {
                    <h1 id="lock-title" tabindex="-1">{t(LockMsg::LockedTitle)}</h1>
                    <p>{t(LockMsg::LockedHelp)}</p>
                    <form on:submit=unlock.clone()>
                        {pin_box("lock-pin", asked_label, pin)}
                        <button class="primary" type="submit" data-testid="lock-unlock" disabled=move || busy.get() || go_on.get()>
                            {t(LockMsg::Unlock)}
                        </button>
                        {note_view}
                        <p hidden=move || !go_on.get()>
                            <button class="primary" type="button" data-testid="lock-go-on" on:click=move |_| go_back()>
                                {t(LockMsg::GoOn)}
                            </button>
                        </p>
                    </form>
                    <details class="forgot">
                        <summary data-testid="lock-forgot">{t(LockMsg::Forgot)}</summary>
                        <p>{t(LockMsg::ForgotHelp)}</p>
                        <p role="alert" hidden=move || !wipe_asked.get()>{t(LockMsg::WipeConfirm)}</p>
                        <button class="danger" data-testid="lock-wipe" on:click=wipe.clone()>
                            {move || t(if wipe_asked.get() { LockMsg::WipeConfirmAgain } else { LockMsg::Wipe })}
                        </button>
                    </details>
                }.into_any(),
                Mode::Open => view! {
                    <h1 id="lock-title" tabindex="-1">{t(LockMsg::SettingsTitle)}</h1>
                    <p class="actions">
                        <button class="primary" data-testid="lock-now-here" on:click=lock_now>{t(LockMsg::LockNow)}</button>
                    </p>
                    {minutes_box()}
                    <form on:submit=change.clone()>
                        <h2>{t(LockMsg::ChangePin)}</h2>
                        {pin_box("lock-current-pin", current_label, current)}
                        {kind_choice()}
                        {pin_box("lock-new-pin", new_label, pin)}
                        <p class="hint">{move || new_help.get()}</p>
                        {pin_box("lock-pin-again", again_label, again)}
                        <button type="submit" data-testid="lock-change" disabled=move || busy.get()>
                            {t(LockMsg::ChangePin)}
                        </button>
                        {note_view}
                        {move || done.get().map(|d| view! { <p class="banner info" role="status" data-testid="lock-done">{d}</p> })}
                    </form>
                    <super::backup::Restore lang=lang kv=kv.clone() fresh=false />
                }.into_any(),
            }}
        </section>
    }
}
