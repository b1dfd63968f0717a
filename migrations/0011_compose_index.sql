-- A compose service names its snapshots after its container is gone
-- (keep resume api -p kbc after docker-compose rm), and -p PROJECT alone
-- means every service of the project: look the tracked containers up by
-- project and service instead of reading every row.
CREATE INDEX containers_by_compose ON containers
    (compose_project, compose_service, compose_number);
