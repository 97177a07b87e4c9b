#First step
FROM golang:1.12.0 as build
ADD . /app
WORKDIR /app
RUN go build
ENTRYPOINT /app/app
#Second step
FROM alpine:latest
RUN apk --no-cache add ca-certificates
WORKDIR /root/
COPY --from=build /app/app .
RUN chmod +x /root/app
CMD ./app
