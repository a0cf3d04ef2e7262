"""Ajustes: profile, language, business info and password."""

from __future__ import annotations

import reflex as rx
from starlette.concurrency import run_in_threadpool

from piano_emotion.auth import accounts
from piano_emotion.auth.tokens import issue_session_token
from piano_emotion.db import session_scope
from piano_emotion.domain import alerts, business
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.models import User
from piano_emotion.settings import get_settings
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.auth import AuthState, page_load

BUSINESS_FIELDS = tuple(business.BusinessInfoInput.__dataclass_fields__)
THRESHOLD_FIELDS = tuple(alerts.MaintenanceSettingsInput.__dataclass_fields__)
MAX_BACKUP_BYTES = 50 * 1024 * 1024  # a large account's backup is a few MB


def _password_changed(user: User, current: str, new: str) -> User:
    """The account with its new password, committed. Run in the thread pool:
    Argon2 checks the old one and hashes the new one (~120 ms of CPU each),
    which on the event loop would hold up every tab of the worker."""
    with session_scope() as session:
        return accounts.change_password(session, user, current=current, new=new)


class SettingsState(AuthState):
    profile_name: str = ""
    profile_locale: str = "es"
    has_password: bool = False
    business: dict[str, str] = {}
    business_complete: bool = False
    profile_errors: dict[str, str] = {}
    business_errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    thresholds: dict[str, str] = {}
    threshold_errors: dict[str, str] = {}
    backup_message: str = ""
    backup_error: str = ""
    # Changes when the data is (re)loaded, so uncontrolled inputs remount with it.
    form_version: int = 0

    def _errors(self, error: ValidationFailed) -> dict[str, str]:
        return {name: translate(key, self.lang) for name, key in error.fields.items()}

    def _fill(self, user: User) -> None:
        with session_scope() as session:
            info = business.get_business_info(session, user)
            maintenance = alerts.get_maintenance_settings(session, user)
            # The row itself: the request's copy of the account holds no hash.
            has_password = accounts.has_password(session, user)
        self.thresholds = {name: str(maintenance[name]) for name in THRESHOLD_FIELDS}
        self.profile_name = user.name
        self.profile_locale = user.locale.value
        self.has_password = has_password
        self.business = {name: (getattr(info, name, "") or "") for name in BUSINESS_FIELDS}
        self.business_complete = business.is_complete(info)
        self.form_version += 1

    @rx.event
    @page_load
    def load(self, user):
        self.profile_errors, self.business_errors, self.password_errors = {}, {}, {}
        self.threshold_errors = {}
        self._fill(user)

    @rx.event
    async def save_profile(self, form: dict):
        user = self.require_user()
        try:
            with session_scope() as session:
                user = accounts.update_profile(
                    session,
                    user,
                    name=str(form.get("name", "")),
                    locale=str(form.get("locale", self.lang)),
                )
        except ValidationFailed as error:
            self.profile_errors = self._errors(error)
            return None
        self.profile_errors = {}
        self.lang = user.locale.value
        await self._write_cookies()
        self._show_user(user)
        self._fill(user)
        return rx.toast.success(translate("settings.saved", self.lang))

    @rx.event
    def save_business(self, form: dict):
        user = self.require_user()
        data = business.BusinessInfoInput.from_form(form)
        try:
            with session_scope() as session:
                business.save_business_info(session, user, data)
        except ValidationFailed as error:
            self.business_errors = self._errors(error)
            return None
        self.business_errors = {}
        self._fill(user)
        return rx.toast.success(translate("settings.saved", self.lang))

    @rx.event
    def save_thresholds(self, form: dict):
        user = self.require_user()
        data = alerts.MaintenanceSettingsInput.from_form(form)
        try:
            with session_scope() as session:
                alerts.update_maintenance_settings(session, user, data)
        except ValidationFailed as error:
            self.threshold_errors = self._errors(error)
            return None
        self.threshold_errors = {}
        self._fill(user)
        return rx.toast.success(translate("settings.saved", self.lang))

    @rx.event
    async def change_password(self, form: dict):
        user = self.require_user()
        if form.get("new_password") != form.get("new_password_confirm"):
            self.password_errors = {
                "new_password_confirm": translate("error.password_mismatch", self.lang)
            }
            return None
        try:
            user = await run_in_threadpool(
                _password_changed,
                user,
                str(form.get("current_password", "")),
                str(form.get("new_password", "")),
            )
        except ValidationFailed as error:
            self.password_errors = self._errors(error)
            return None
        self.password_errors = {}
        # Other devices are signed out; this one gets a token of the new version.
        self.session_token = issue_session_token(user.id, user.session_version, get_settings())
        await self._write_cookies()
        self.form_version += 1
        return rx.toast.success(translate("settings.password_changed", self.lang))

    # -- backup and restore ---------------------------------------------------
    @rx.event
    async def restore_backup(self, files: list[rx.UploadFile]):
        """Restore a JSON backup into this account (only when it holds no
        business data yet: nothing is ever overwritten)."""
        from piano_emotion.domain import backup

        user = self.require_user()
        self.backup_message, self.backup_error = "", ""
        if not files:
            self.backup_error = translate("backup.choose_file", self.lang)
            return None
        raw = await files[0].read()
        if len(raw) > MAX_BACKUP_BYTES:
            self.backup_error = translate("backup.too_large", self.lang)
            return None
        try:
            with session_scope() as session:
                summary = backup.restore_json(session, user, raw)
        except ValidationFailed as error:
            self.backup_error = next(iter(self._errors(error).values()))
            return None
        self.backup_message = translate("backup.restored", self.lang, count=summary.total)
        self._fill(user)
        return rx.toast.success(self.backup_message)
