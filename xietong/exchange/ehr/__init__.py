"""The resident's longitudinal record (居民健康档案): the selectors behind its page
(exchange/ehr_views.py) over what hospitals pushed and what other apps register."""
