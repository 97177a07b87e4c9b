###########################################
# BASE IMAGE (Build Stage)
###########################################

FROM ubuntu AS build

RUN apt-get update && apt-get install -y golang-go

ENV GO111MODULE=off

COPY . .

RUN CGO_ENABLED=0 go build -o /app .

############################################
# FINAL STAGE (Minimal Runtime)
############################################

FROM scratch

COPY --from=build /app /app

ENTRYPOINT ["/app"]
