# Builds the authlab binary and runs it on a slim Debian. Used by docker-compose.yml.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --bin authlab

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/authlab authlab \
    && mkdir -p /var/lib/authlab && chown authlab /var/lib/authlab
COPY --from=build /src/target/release/authlab /usr/local/bin/authlab
USER authlab
ENV AUTHLAB_BIND=0.0.0.0 \
    AUTHLAB_DATA_DIR=/var/lib/authlab
EXPOSE 8080
ENTRYPOINT ["authlab"]
# `demo` supervises `serve` so that the restart lab can really restart the server.
CMD ["demo"]
