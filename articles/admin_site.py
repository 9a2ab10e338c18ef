"""The newsroom's admin site: Django's, with a front page showing what needs each person
(articles.dashboard) and each person's notifications (articles.notifications): their unread
count in every page's header, a page listing them, each opened (and so marked read) by a link.
Installed as the default site by config.apps.NewsroomAdminConfig."""

import functools

from django.contrib import admin
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

NOTIFICATIONS_TEMPLATE = "admin/notifications.html"
NOTIFICATIONS_PER_PAGE = 50
# Unread notifications listed on the front page.
UNREAD_SHOWN = 10


class NewsroomAdminSite(admin.AdminSite):
    def each_context(self, request):
        from articles import notifications

        context = super().each_context(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context["notifications_url"] = reverse(f"{self.name}:notifications", current_app=self.name)
            # Asked once, and only by a page that shows the header.
            context["unread_notification_count"] = functools.cache(lambda: notifications.unread_count(user))
        return context

    def index(self, request, extra_context=None):
        from articles import dashboard, notifications

        unread = list(notifications.unread(request.user)[:UNREAD_SHOWN])
        for notification in unread:
            notification.headline = notifications.headline(notification)
        context = {
            "dashboard": dashboard.sections(request.user),
            "unread_notifications": unread,
            **(extra_context or {}),
        }
        return super().index(request, context)

    def get_urls(self):
        return [
            path("notifications/", self.admin_view(self.notifications_view), name="notifications"),
            path("notifications/read/", self.admin_view(self.mark_all_read_view), name="notifications_read"),
            path("notifications/<int:pk>/", self.admin_view(self.open_notification_view), name="notification_open"),
        ] + super().get_urls()

    def notifications_view(self, request):
        """The person's notifications, newest first, the unread marked."""
        from articles import notifications

        page = Paginator(notifications.inbox(request.user), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
        for notification in page:
            notification.headline = notifications.headline(notification)
        request.current_app = self.name
        context = {
            **self.each_context(request),
            "title": gettext("通知"),
            "subtitle": None,
            "page_obj": page,
        }
        return TemplateResponse(request, NOTIFICATIONS_TEMPLATE, context)

    def open_notification_view(self, request, pk):
        """Mark one of the person's own notifications read and open its article (404 for anyone else's)."""
        from articles import notifications

        mine = notifications.inbox(request.user).filter(pk=pk)
        notification = get_object_or_404(mine)
        notifications.mark_read(mine)
        return HttpResponseRedirect(reverse(f"{self.name}:articles_article_change", args=[notification.article_id]))

    def mark_all_read_view(self, request):
        from articles import notifications

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        notifications.mark_read(notifications.inbox(request.user))
        return HttpResponseRedirect(reverse(f"{self.name}:notifications"))
