"""The smallest app with the product's page-change shape (the floor).

Two pages, each with one ``on_load`` handler that changes two vars, and the
browser's cookies in a leaf state, as in the product (``BrowserCookies``): a
navigation sends the cookies (``update_vars_internal``) and
``on_load_internal``, which queues the page's handler and then
``set_is_hydrated``. No database, no cache, no session check: what the load
test measures here is what Reflex, Socket.IO and the server cost for a page
change, the floor under the product's own figure.
"""

import reflex as rx


class FloorCookies(rx.State):
    session_token: str = rx.Cookie("", name="pe_session")
    lang: str = rx.Cookie("es", name="pe_lang")


class FloorPage(rx.State):
    title: str = ""
    visits: int = 0

    @rx.event
    def page_load(self):
        self.visits += 1
        self.title = f"{self.router.url.path} #{self.visits}"


def page() -> rx.Component:
    return rx.text(FloorPage.title)


app = rx.App()
app.add_page(page, route="/", on_load=FloorPage.page_load)
app.add_page(page, route="/b", on_load=FloorPage.page_load)
