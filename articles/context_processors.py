from django.conf import settings


def site(request):
    return {"site_name": settings.NEWSROOM["SITE_NAME"]}
