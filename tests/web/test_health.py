"""/healthz: for load balancers and monitoring."""
from tests.conftest import make_app


def test_health_is_ok_when_the_database_answers_and_the_schema_is_at_head(client):
    response = client.get('/healthz')
    assert response.status_code == 200
    assert response.json['status'] == 'ok'
    assert response.json['database'] == 'ok'
    assert response.json['schema'] == 'head'


def test_health_is_503_when_the_schema_is_behind(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)
    response = app.test_client().get('/healthz')
    assert response.status_code == 503
    assert response.json['schema'] == 'behind'
    assert response.json['current'] == []


def test_health_is_503_when_the_database_is_unreachable(tmp_path):
    app = make_app('postgresql+psycopg://nobody@127.0.0.1:1/none', tmp_path)
    response = app.test_client().get('/healthz')
    assert response.status_code == 503
    assert response.json['database'] == 'unreachable'
