from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """Django's admin, with the newsroom's site (front page, notifications) as admin.site."""

    default_site = "articles.admin_site.NewsroomAdminSite"
