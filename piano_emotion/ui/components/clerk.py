"""Clerk's React components (``@clerk/clerk-react``) wrapped for Reflex.

Only used when Clerk is configured. The provider wraps the app; a small
synchroniser hands Clerk's session token to ``AuthState.clerk_session``,
where it is verified with PyJWT on our server (``piano_emotion.auth.clerk``)
and exchanged for our own session. ``SignIn`` shows Clerk's sign-in card,
which offers "Continuar con Google" when Google is enabled in Clerk.
"""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui.state.auth import AuthState

CLERK_REACT = "@clerk/clerk-react@5.61.11"


class ClerkBase(rx.Component):
    library = CLERK_REACT


class ClerkProvider(ClerkBase):
    tag = "ClerkProvider"

    publishable_key: rx.Var[str]
    after_sign_out_url: rx.Var[str]
    sign_in_url: rx.Var[str]
    sign_up_url: rx.Var[str]


class SignIn(ClerkBase):
    tag = "SignIn"

    routing: rx.Var[str]
    sign_up_url: rx.Var[str]
    fallback_redirect_url: rx.Var[str]


class ClerkSessionSynchronizer(rx.Component):
    """Sends the Clerk session token to the server whenever Clerk signs in."""

    tag = "ClerkSessionSynchronizer"

    def add_imports(self) -> rx.ImportDict:
        return {
            CLERK_REACT: ["useAuth"],
            "react": ["useContext", "useEffect", "useRef"],
            "$/utils/context": ["EventLoopContext"],
            "$/utils/state": ["ReflexEvent"],
        }

    def add_custom_code(self) -> list[str]:
        state = AuthState.get_full_name()
        return [
            """
function ClerkSessionSynchronizer({ children }) {
  const { getToken, isLoaded, isSignedIn } = useAuth()
  const [addEvents] = useContext(EventLoopContext)
  const sent = useRef(null)
  useEffect(() => {
    if (!isLoaded || !addEvents) return
    const key = isSignedIn ? "in" : "out"
    if (sent.current && sent.current.key === key && sent.current.addEvents === addEvents) return
    if (!isSignedIn) {
      addEvents([ReflexEvent("STATE.clerk_signed_out")])
      sent.current = { key, addEvents }
      return
    }
    getToken().then((token) => {
      if (token) {
        addEvents([ReflexEvent("STATE.clerk_session", { token })])
        sent.current = { key, addEvents }
      }
    }).catch(() => {})
  }, [isLoaded, isSignedIn, addEvents, getToken])
  return <>{children}</>
}
""".replace("STATE", state)
        ]


def clerk_provider(publishable_key: str, *children: rx.Component) -> rx.Component:
    from piano_emotion.ui import routes

    return ClerkProvider.create(
        ClerkSessionSynchronizer.create(*children),
        publishable_key=publishable_key,
        after_sign_out_url=routes.SIGN_IN,
        sign_in_url=routes.SIGN_IN,
        sign_up_url=routes.SIGN_UP,
    )


def clerk_sign_in() -> rx.Component:
    from piano_emotion.ui import routes

    return SignIn.create(
        routing="hash", sign_up_url=routes.SIGN_UP, fallback_redirect_url=routes.HOME
    )


def wrap_app_with_clerk(app: rx.App, publishable_key: str) -> None:
    """Put ``ClerkProvider`` around every page (inside Reflex's own wrappers)."""
    app.app_wraps[(1, "ClerkProvider")] = lambda _stateful: clerk_provider(publishable_key)
