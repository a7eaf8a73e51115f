//! The application shell: language, storage, routing, header and banners.

use super::browser;
use super::survey::SurveyScreen;
use crate::handover::Handover;
use crate::i18n::{Lang, Msg};
use crate::route::Route;
use crate::store::local::LocalStore;
use crate::store::vault::{Sealer, FORGOT_KEY, LOCK_RETURN_KEY};
use crate::store::{HandoverStore, KvStore, ResponseStore, StoreError, LANG_KEY, RESUME_KEY};
use leptos::prelude::*;

/// Why the app cannot save, said before any survey starts.
#[derive(Clone, Debug, PartialEq)]
pub enum StorageProblem {
    Unavailable,
    /// The browser refuses the site its storage (site data blocked): what is stored cannot
    /// be read now, which is not the same as nothing stored.
    Refused,
    NewerSchema,
    Other(String),
}

/// Everything the screens share. All fields are `Copy` handles.
#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    pub route: RwSignal<Route>,
    pub store: StoredValue<Option<ResponseStore<LocalStore>>, LocalStorage>,
    /// sessionStorage, where an edit waits while localStorage is full.
    pub scratch: StoredValue<Option<LocalStore>, LocalStorage>,
    pub problem: RwSignal<Option<StorageProblem>>,
    /// Bumped when the durable journal wrote to disk or failed to (`super::journal`).
    pub journal_tick: RwSignal<u32>,
    /// The hand-over in progress, read afresh from storage on every screen change (screens
    /// are drawn after it is read, so nothing needs to follow it reactively).
    pub handover: StoredValue<Option<Handover>, LocalStorage>,
}

impl AppState {
    pub fn t(&self, msg: Msg) -> &'static str {
        msg.get(self.lang.get())
    }

    pub fn go(&self, route: Route) {
        let route = self.guarded(route);
        browser::set_hash(&route.to_hash());
        self.show(route);
    }

    /// Shows a screen unless it is already shown: the `hashchange` that follows `go` must
    /// not draw the same screen a second time. During a hand-over, a screen the resident
    /// may not see is replaced by the hand-back screen, in the address bar too.
    fn show(&self, route: Route) {
        let guarded = self.guarded(route.clone());
        if guarded != route {
            browser::replace_hash(&guarded.to_hash());
        }
        if self.route.with_untracked(|r| *r != guarded) {
            self.route.set(guarded);
        }
    }

    /// `route`, or where it leads while the tablet is handed over or locked. The state is
    /// read from storage each time: the worker module or another tab may have changed it.
    fn guarded(&self, route: Route) -> Route {
        let current = self
            .with_store(|s| HandoverStore::new(s.kv()).current())
            .flatten();
        // Hand-over mode is a look as much as a rule: large type, no way to the rest.
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root
                .class_list()
                .toggle_with_force("handover", current.is_some());
        }
        self.handover.set_value(current.clone());
        let locked = self
            .with_store(|s| !matches!(Sealer::of(s.kv()), Sealer::Open(_)))
            .unwrap_or(false);
        // Handed over, the hand-back screen outranks the device lock: a reload, a second
        // tab, the idle lock or a sleeping tablet (all of which drop the key) must not show
        // the resident the lock screen, whose "forgot the PIN" wipes the device. Without
        // the key the resident's own answers cannot be opened either, so locked means the
        // hand-back screen, whose one PIN both unlocks the device and ends the hand-over.
        if let Some(h) = current {
            return if locked {
                Route::Unlock { id: h.id }
            } else {
                h.guard(route)
            };
        }
        // The device lock comes next: locked, or before the device has a PIN (first
        // use), every screen is the lock screen, which returns to the one asked for.
        // A forgotten PIN (the lock screen's offer, this tab only): the export screen,
        // which exports what can be read without it.
        let forgot = || {
            route == Route::Export
                && self
                    .scratch
                    .with_value(|s| s.as_ref().and_then(|s| s.get(FORGOT_KEY).ok().flatten()))
                    .is_some()
        };
        if locked && route != Route::Lock && !forgot() {
            self.scratch.with_value(|s| {
                if let Some(s) = s {
                    let _ = s.set(LOCK_RETURN_KEY, &route.to_hash());
                }
            });
            return Route::Lock;
        }
        crate::handover::unguarded(route)
    }

    /// Locks the device now, by the lock button (index.html): the key is forgotten by
    /// every module of the page, the last changes reach the disk (a second at most), and
    /// the page reloads, leaving nothing of any resident in its memory; the PIN brings
    /// the worker back to this screen.
    pub fn lock(&self) {
        use wasm_bindgen::JsCast;
        let button = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("[data-display=lock]").ok().flatten())
            .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
        match button {
            Some(b) => b.click(),
            None => {
                crate::vault::holder::forget();
                browser::reload();
            }
        }
    }

    /// During a hand-over: to the hand-back screen, remembering where the resident was.
    pub fn hand_back(&self) {
        let Some(h) = self.handover.get_value() else {
            return;
        };
        // A text box being typed in saves on every keystroke; leaving it saves nothing
        // more, but takes the on-screen keyboard away.
        browser::blur_active();
        self.scratch.with_value(|s| {
            if let Some(s) = s {
                let _ = s.set(RESUME_KEY, &browser::location_hash());
            }
        });
        self.go(Route::Unlock { id: h.id });
    }

    /// Runs `f` with the store and the scratch store, when both exist.
    pub fn with_scratch(&self, f: impl FnOnce(&ResponseStore<LocalStore>, &LocalStore)) {
        self.store.with_value(|s| {
            self.scratch.with_value(|scratch| {
                if let (Some(s), Some(scratch)) = (s, scratch) {
                    f(s, scratch)
                }
            })
        });
    }

    /// Runs `f` with the store, or returns `None` when storage is unavailable.
    pub fn with_store<R>(&self, f: impl FnOnce(&ResponseStore<LocalStore>) -> R) -> Option<R> {
        self.store.with_value(|s| s.as_ref().map(f))
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

fn initial_lang(kv: Option<&LocalStore>) -> Lang {
    Lang::from_query(&browser::location_search())
        .or_else(|| {
            kv.and_then(|k| k.get(LANG_KEY).ok().flatten())
                .and_then(|v| Lang::parse(&v))
        })
        .unwrap_or_default()
}

#[component]
pub fn App() -> impl IntoView {
    let (store, problem) = match LocalStore::open() {
        Ok(kv) => match ResponseStore::open(kv) {
            Ok(s) => (Some(s), None),
            Err(StoreError::NewerSchema(_)) => (None, Some(StorageProblem::NewerSchema)),
            Err(e) => (None, Some(StorageProblem::Other(e.to_string()))),
        },
        Err(StoreError::Unavailable(_)) => (None, Some(StorageProblem::Unavailable)),
        Err(StoreError::Refused) => (None, Some(StorageProblem::Refused)),
        Err(e) => (None, Some(StorageProblem::Other(e.to_string()))),
    };
    let lang = RwSignal::new(initial_lang(store.as_ref().map(|s| s.kv())));
    if store.is_some() {
        browser::request_persistent_storage();
    }
    let state = AppState {
        lang,
        route: RwSignal::new(Route::parse(&browser::location_hash())),
        store: StoredValue::new_local(store),
        scratch: StoredValue::new_local(LocalStore::session()),
        problem: RwSignal::new(problem),
        journal_tick: RwSignal::new(0),
        handover: StoredValue::new_local(None),
    };
    provide_context(state);
    // A hand-over survives a reload: the first screen goes through its guard too.
    state.show(Route::parse(&browser::location_hash()));
    watch_idle(state);

    // The document's language follows the interface, for screen readers and fonts.
    Effect::new(move |_| {
        let l = lang.get();
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(root) = doc.document_element() {
                let _ = root.set_attribute("lang", l.tag());
            }
            doc.set_title(Msg::AppName.get(l));
        }
    });

    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        state.show(Route::parse(&browser::location_hash()));
    });
    // Another tab started or ended a hand-over, or changed the PIN (this page's key is
    // then an old one): this one follows at once. (Lists follow other tabs themselves.)
    let on_storage = window_event_listener(leptos::ev::storage, move |e| {
        if matches!(
            e.key().as_deref(),
            Some(crate::store::HANDOVER_KEY | crate::vault::lock::VAULT_KEY)
        ) {
            state.show(Route::parse(&browser::location_hash()));
        }
    });
    let on_journal = window_event_listener(
        leptos::ev::Custom::new("doorstep-journal"),
        move |_: web_sys::Event| {
            state.journal_tick.update(|t| *t += 1);
        },
    );
    let online = RwSignal::new(browser::is_online());
    let on_online = window_event_listener(leptos::ev::online, move |_| online.set(true));
    let on_offline = window_event_listener(leptos::ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        on_hash.remove();
        on_storage.remove();
        on_journal.remove();
        on_online.remove();
        on_offline.remove();
    });

    let update_ready = RwSignal::new(false);
    browser::on_new_version(move || update_ready.set(true));

    let switch_lang = move |_| {
        let next = lang.get_untracked().other();
        lang.set(next);
        // The choice now outranks the address it was opened with.
        browser::drop_query();
        // Best effort: a full store must not block switching language.
        state.with_store(|s| s.kv().set(LANG_KEY, next.tag()));
    };

    view! {
        <header class="topbar">
            <a class="brand" href="#/" data-testid="home">{move || state.t(Msg::AppName)}</a>
            <span class="offline" data-testid="offline-badge" hidden=move || online.get()>
                {move || state.t(Msg::Offline)}
            </span>
            <button
                class="lang"
                data-testid="lang-switch"
                lang=move || lang.get().other().tag()
                title=move || state.t(Msg::SwitchLanguageLabel)
                on:click=switch_lang
            >
                {move || state.t(Msg::SwitchLanguage)}
            </button>
        </header>
        <main id="main">
            <ProblemBanner />
            <div class="banner info" role="status" data-testid="update-ready" hidden=move || !update_ready.get()>
                {move || state.t(Msg::UpdateReady)}" "
                <button data-testid="reload" on:click=move |_| browser::reload()>{move || state.t(Msg::Reload)}</button>
            </div>
            // Screens draw their text once, in the language of the moment: switching
            // language redraws the screen (answers are all saved) instead of every label
            // being a reactive closure, which would cost the bundle about 1 KB each.
            {move || match (state.lang.track(), state.route.get()).1 {
                Route::List => view! { <ToolsHost screen="list" module="worker" /> }.into_any(),
                Route::New => view! { <NewResponse /> }.into_any(),
                Route::NewOf { form, version } => {
                    view! { <NewResponse form=form version=version /> }.into_any()
                }
                Route::Forms => view! { <ToolsHost screen="forms" /> }.into_any(),
                Route::Visits => view! { <ToolsHost screen="visits" /> }.into_any(),
                Route::Export => view! { <ToolsHost screen="export" /> }.into_any(),
                Route::HandBack { .. } => {
                    view! { <ToolsHost screen="return" module="handback" /> }.into_any()
                }
                Route::Receive => {
                    view! { <ToolsHost screen="receive" module="handback" /> }.into_any()
                }
                Route::HandOver { .. } | Route::HandOverSettings => {
                    view! { <ToolsHost screen="hand-over" module="worker" /> }.into_any()
                }
                Route::Unlock { .. } => {
                    view! { <ToolsHost screen="unlock" module="worker" /> }.into_any()
                }
                Route::Lock => view! { <ToolsHost screen="lock" module="worker" /> }.into_any(),
                Route::Workspace => {
                    view! { <ToolsHost screen="workspace" module="workspace" /> }.into_any()
                }
                Route::Question { id, section, question } => {
                    view! { <SurveyScreen id=id section=section focus=question /> }.into_any()
                }
                Route::Survey { id, section } => {
                    view! { <SurveyScreen id=id section=section /> }.into_any()
                }
                Route::Review { .. } => {
                    view! { <ToolsHost screen="review" module="worker" /> }.into_any()
                }
            }}
        </main>
    }
}

/// The minutes after which an unlocked device locks itself; `None` without a PIN or when
/// locked already.
fn lock_minutes(kv: &LocalStore) -> Option<u32> {
    match Sealer::of(kv) {
        Sealer::Open(_) => Some(crate::store::vault::idle_minutes(kv)),
        _ => None,
    }
}

/// The device locks itself after its minutes without a touch (see `lock_minutes`).
/// During a hand-over, after the chosen minutes without a touch or a key, the hand-back
/// screen: answers are saved as they are given, so nothing is lost, and the next person to
/// pick up the tablet sees no one's answers.
fn watch_idle(state: AppState) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    // The last touch, key, typed character or scroll (ms since the epoch).
    let last = StoredValue::new(browser::now_ms());
    let touched = Closure::<dyn FnMut()>::new(move || last.set_value(browser::now_ms()));
    if let Some(w) = web_sys::window() {
        for name in ["pointerdown", "keydown", "input", "scroll"] {
            let _ = w.add_event_listener_with_callback_and_bool(
                name,
                touched.as_ref().unchecked_ref(),
                true,
            );
        }
    }
    touched.forget();
    let answering = move || {
        state.handover.with_value(Option::is_some)
            && state
                .route
                .with_untracked(|r| matches!(r, Route::Survey { .. } | Route::Question { .. }))
    };
    // A tablet put to sleep, or the app switched away from, during a hand-over: the
    // hand-back screen at once, so whoever wakes it finds that and not the survey.
    let asleep = Closure::<dyn FnMut()>::new(move || {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        if hidden && answering() {
            state.hand_back();
        }
    });
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        let _ =
            d.add_event_listener_with_callback("visibilitychange", asleep.as_ref().unchecked_ref());
    }
    asleep.forget();
    set_interval(
        move || {
            let idle = browser::now_ms() - last.get_value();
            // The device lock: after its minutes without a touch, wherever the app is.
            if let Some(minutes) = state.with_store(|s| lock_minutes(s.kv())).flatten() {
                if idle >= f64::from(minutes) * 60_000.0 {
                    last.set_value(browser::now_ms());
                    state.lock();
                    return;
                }
            }
            let limit = state
                .handover
                .with_value(|h| h.as_ref().map(|h| h.idle_ms()));
            if answering() && limit.is_some_and(|ms| idle >= ms) {
                state.hand_back();
            }
        },
        std::time::Duration::from_secs(5),
    );
}

#[component]
fn ProblemBanner() -> impl IntoView {
    let state = use_app();
    move || {
        state.problem.get().map(|p| {
            let text = match p {
                StorageProblem::Unavailable => state.t(Msg::StorageUnavailable).to_owned(),
                StorageProblem::Refused => state.t(Msg::StorageRefused).to_owned(),
                StorageProblem::NewerSchema => state.t(Msg::NewerSchema).to_owned(),
                StorageProblem::Other(d) => {
                    // The technical detail is for whoever debugs; the user gets their language.
                    leptos::logging::warn!("storage: {d}");
                    state.t(Msg::StorageUnavailable).to_owned()
                }
            };
            view! {
                <div class="banner error" role="alert" data-testid="storage-unavailable">
                    {text}
                </div>
            }
        })
    }
}

/// `#/forms`, `#/visits`, `#/export` and `#/workspace`: a place the screen's module draws
/// into. Those screens live in wasm modules of their own, fetched on the first visit (see
/// src/ui/library.rs): `coordinator` (library, visits, export) and `workspace` (the
/// coordinator's imports, dashboard and report), so the survey's first load carries neither.
#[component]
fn ToolsHost(
    screen: &'static str,
    #[prop(default = "coordinator")] module: &'static str,
) -> impl IntoView {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let state = use_app();
    let failed = RwSignal::new(false);
    let loader_id = format!("{module}-loader");
    Effect::new(move |_| {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if doc.get_element_by_id(&loader_id).is_some() {
            // Loaded on an earlier visit: ask it to draw again.
            if let (Some(w), Ok(e)) = (
                web_sys::window(),
                web_sys::Event::new(&format!("doorstep-{module}")),
            ) {
                let _ = w.dispatch_event(&e);
            }
            return;
        }
        let Ok(script) = doc.create_element("script") else {
            return;
        };
        let _ = script.set_attribute("type", "module");
        let _ = script.set_attribute("src", &format!("./doorstep-{module}_loader.js"));
        script.set_id(&loader_id);
        let id = loader_id.clone();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            // Let a later visit try again (offline before the cache had it, say).
            if let Some(s) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&id))
            {
                s.remove();
            }
            failed.set(true);
        });
        let _ = script.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        on_error.forget();
        if let Some(head) = doc.head() {
            let _ = head.append_child(&script);
        }
    });
    view! {
        <div id=module data-lang=state.lang.get_untracked().tag() data-screen=screen>
            <p class="note" role="status" data-testid="coordinator-loading">{state.t(Msg::Loading)}</p>
        </div>
        <p class="banner error" role="alert" hidden=move || !failed.get()>{state.t(Msg::WorkerUnavailable)}</p>
    }
}

/// `#/new`: creates a response and replaces the URL with its own, so a reload or the back
/// button never makes a second one.
#[component]
fn NewResponse(
    /// A form of the library; the built-in one without.
    #[prop(optional)]
    form: Option<String>,
    #[prop(optional)] version: u32,
) -> impl IntoView {
    let state = use_app();
    let failed = RwSignal::new(None::<StoreError>);
    let chosen = match &form {
        Some(id) => super::forms::resolve(state, id, version),
        None => Some(crate::form::builtin_form()),
    };
    let Some(chosen) = chosen else {
        return view! {
            <div class="banner error" role="alert" data-testid="not-found">{state.t(Msg::FormMissing)}</div>
            <a class="button" href="#/forms">{state.t(Msg::FormLibrary)}</a>
        }
        .into_any();
    };
    Effect::new(move |_| match create_response(state, chosen) {
        Ok(id) => {
            let route = Route::Survey { id, section: 0 };
            browser::replace_hash(&route.to_hash());
            state.route.set(route);
        }
        Err(e) => failed.set(Some(e)),
    });
    (move || {
        failed.get().map(|e| {
            let text = match e {
                StoreError::QuotaExceeded => state.t(Msg::NotSavedFull),
                _ => state.t(Msg::StorageUnavailable),
            };
            view! { <div class="banner error" role="alert" data-testid="save-error">{text}</div> }
        })
    })
    .into_any()
}

/// Creates and stores a new draft of `form`; returns its id.
pub fn create_response(
    state: AppState,
    form: &'static crate::form::Form,
) -> Result<String, StoreError> {
    state
        .with_store(|s| super::forms::new_response(s.kv(), form, None))
        .unwrap_or(Err(StoreError::Unavailable("no storage".into())))
}
