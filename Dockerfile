# One image, four commands: redress api | worker | migrate | dev.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/redress ./cmd/redress

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/redress /usr/local/bin/redress
# The attachments folder compose mounts a volume on: a new volume takes its
# owner from here, so that nobody may write to it.
RUN mkdir -p /var/lib/redress/attachments && chown nobody:nogroup /var/lib/redress/attachments
USER nobody
ENTRYPOINT ["redress"]
CMD ["api"]
