# The geopart image for AWS Batch: Debian 13, Node and GDAL from the Debian archive, geopart
# from npm (default) or a tarball. It installs geopart with scripts/install-geopart.sh, the
# script the EC2 user data runs.
#
#   docker build -t geopart .
#   npm pack && docker build --build-arg GEOPART_INSTALL_SPEC=/tmp/geopart/geopart-0.1.0.tgz -t geopart .
#
# The container's command is a geopart command, with or without a leading "geopart":
# `docker run geopart ingest ...` and the command of a Batch job, `geopart remote batch-child ...`.
FROM debian:trixie-slim

# What `npm install -g` installs: geopart@VERSION from npm, or a tarball of the build context
# (copied to /tmp/geopart/) or an https URL.
ARG GEOPART_INSTALL_SPEC=geopart@0.1.0

# The build context holds only the install script, the entrypoint and geopart-*.tgz (.dockerignore).
COPY . /tmp/geopart/
RUN bash /tmp/geopart/scripts/install-geopart.sh "$GEOPART_INSTALL_SPEC" \
    && install -m 0755 /tmp/geopart/scripts/docker-entrypoint.sh /usr/local/bin/geopart-entrypoint \
    && rm -rf /tmp/geopart /var/lib/apt/lists/* /root/.npm \
    && useradd --create-home --uid 10001 --user-group geopart

USER geopart
WORKDIR /home/geopart
ENTRYPOINT ["geopart-entrypoint"]
CMD ["--help"]
